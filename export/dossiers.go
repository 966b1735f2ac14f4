package export

import (
	"context"
	"net/http"
	"strconv"

	"github.com/thidua/thidua/domain"
)

//	GET /reports/dossiers.csv | .xlsx ?provinceId=&status=&year=&authority=&kind=&search=&sep=
//	GET /reports/decisions/{id}.csv | .xlsx ?sep=

// dossierTable is the list of the recipients proposed in the dossiers the
// query parameters select, as the caller may see them (dossiers are never
// public: an anonymous caller gets the header only), one row a recipient,
// at most maxExportRows rows. A decided dossier's rows carry its
// decision's number and date.
func (r *exporter) dossierTable(ctx context.Context, req *http.Request) ([][]cell, error) {
	f, err := dossierFilter(r, req)
	if err != nil {
		return nil, err
	}
	snap := r.svc.Reference()
	rows := [][]cell{{text("Tỉnh"), text("Hồ sơ"), text("Loại hình khen thưởng"), text("Cấp trình"), text("Năm"),
		text("Trạng thái"), text("Số tờ trình"), text("Ngày tờ trình"), text("Đối tượng"), text("Tên"), text("Chức vụ"),
		text("Đơn vị"), text("Hình thức khen thưởng"), text("Hạng"), text("Thành tích"), text("Tỷ lệ phiếu bầu (%)"),
		text("Số quyết định"), text("Ngày quyết định")}}
	list := func(p domain.PageArgs) (*domain.Page[domain.Dossier], error) { return r.svc.Dossiers(ctx, f, p) }
	err = domain.EachPage(list, func(items []domain.Dossier) (bool, error) {
		// The page's decisions, in one read.
		var ids []string
		for _, d := range items {
			if d.Status == domain.DossierDecided && d.DecisionID != "" {
				ids = append(ids, d.DecisionID)
			}
		}
		decisions, err := r.svc.DecisionsByID(ctx, ids)
		if err != nil {
			return false, err
		}
		for i := range items {
			d := &items[i]
			letterNum, letterDay := text(""), text("")
			if d.Letter != nil {
				letterNum, letterDay = text(d.Letter.Number), date(d.Letter.Date)
			}
			decNum, decDay := text(""), text("")
			if dec := decisions[d.DecisionID]; d.Status == domain.DossierDecided && dec != nil {
				decNum, decDay = text(dec.Number), date(dec.Date)
			}
			for _, p := range d.Recipients {
				if len(rows)-1 == maxExportRows {
					break
				}
				// The recipient's province: the dossier's, or for the
				// cluster's dossiers the one each recipient is named with.
				province := p.ProvinceID
				if province == "" {
					province = d.ProvinceID
				}
				province = snap.ProvinceName(province)
				typ := snap.AwardTypeName(p.AwardTypeID)
				share := text("")
				if p.BallotShare != nil {
					share = number(*p.BallotShare)
				}
				rows = append(rows, []cell{text(province), text(d.Title), text(label("DossierKind", d.Kind)),
					text(label("Authority", d.Authority)), year(d.Year), text(label("DossierStatus", d.Status)),
					letterNum, letterDay, text(label("RecipientKind", p.Recipient.Kind)), text(p.Recipient.Name),
					text(p.Recipient.Position), text(p.Recipient.Organization), text(typ), text(label("AwardClass", p.Class)),
					text(p.Achievement), share, decNum, decDay})
			}
		}
		return len(rows)-1 < maxExportRows, nil
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// dossierFilter reads and checks the dossier list's query parameters; a
// bad one is BAD_USER_INPUT with the parameter's name as its field.
func dossierFilter(r *exporter, req *http.Request) (domain.DossierFilter, error) {
	q := req.URL.Query()
	f := domain.DossierFilter{ProvinceID: q.Get("provinceId"), Status: q.Get("status"), Authority: q.Get("authority"),
		Kind: q.Get("kind"), Search: q.Get("search")}
	if f.ProvinceID != "" {
		if _, err := domain.KnownProvince(r.svc.Reference(), "provinceId", f.ProvinceID); err != nil {
			return f, err
		}
	}
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			return f, domain.Invalid("year", "%q is not a year", y)
		}
		f.Year = &n
	}
	if _, ok := Label("DossierStatus", f.Status); f.Status != "" && !ok {
		return f, domain.Invalid("status", "%q is not a dossier status", f.Status)
	}
	if _, ok := Label("Authority", f.Authority); f.Authority != "" && !ok {
		return f, domain.Invalid("authority", "%q is not an authority", f.Authority)
	}
	if _, ok := Label("DossierKind", f.Kind); f.Kind != "" && !ok {
		return f, domain.Invalid("kind", "%q is not a kind of dossier", f.Kind)
	}
	if err := domain.CheckSearch("search", f.Search); err != nil {
		return f, err
	}
	return f, nil
}

// decisionTable is the list annexed to a decision (danh sách khen thưởng
// kèm theo quyết định): title lines naming the decision — number, date,
// authority, issuing body, signer, legal basis — then one row an award it
// conferred, in the decision's order, as the caller may see them (decisions
// and their awards are public). A revoked award keeps its row, with the
// revocation in the last column. An unknown or malformed id is NOT_FOUND.
func (r *exporter) decisionTable(ctx context.Context, id string) ([][]cell, error) {
	dec, awards, err := r.decisionAwards(ctx, id)
	if err != nil {
		return nil, err
	}
	header := []cell{text("STT"), text("Tên"), text("Chức vụ"), text("Đơn vị"), text("Hình thức khen thưởng"), text("Hạng"),
		text("Thành tích"), text("Ghi chú")}
	rows := append(decisionHead(dec, "Danh sách khen thưởng", len(header)), header)
	snap := r.svc.Reference()
	for i := range awards {
		a := &awards[i]
		rows = append(rows, []cell{number(float64(i + 1)), text(a.Recipient.Name), text(a.Recipient.Position),
			text(a.Recipient.Organization), text(snap.AwardTypeName(a.AwardTypeID)), text(label("AwardClass", a.Class)), text(a.Citation), text(revokedNote(a))})
	}
	return rows, nil
}
