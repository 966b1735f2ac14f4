package export

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/thidua/thidua/domain"
)

//	GET /reports/payments/{decisionId}.csv | .xlsx ?sep=
//	GET /reports/payments/{decisionId} ?format=csv|xlsx, or Accept: text/csv | the XLSX type

const mimeCSV = "text/csv"

// payments serves a decision's payment list.
func (r *exporter) payments(w http.ResponseWriter, req *http.Request) {
	id, format, err := fileFormat(req, req.PathValue("file"))
	if err != nil {
		r.writeError(w, req, err)
		return
	}
	sep, err := separator(req)
	if err != nil {
		r.writeError(w, req, err)
		return
	}
	rows, err := r.paymentTable(req.Context(), id)
	r.writeTable(w, req, "payments-"+id, format, sep, "Danh sách chi tiền thưởng", rows, err)
}

// fileFormat is the report a path segment names and the format asked for:
// its extension (.csv, .xlsx) as for every report; without one, ?format=
// (csv or xlsx), else the Accept header (text/csv, or the XLSX type), else
// CSV.
func fileFormat(req *http.Request, file string) (name, format string, err error) {
	if name, format, ok := splitFile(file); ok {
		return name, format, nil
	}
	if strings.Contains(file, ".") {
		return "", "", domain.NotFound("report", file)
	}
	switch f := req.URL.Query().Get("format"); f {
	case "csv", "xlsx":
		return file, f, nil
	case "":
	default:
		return "", "", domain.Invalid("format", "%q is not a report format: use csv or xlsx", f)
	}
	for _, part := range strings.Split(req.Header.Get("Accept"), ",") {
		media, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(media)) {
		case domain.TypeXLSX:
			return file, "xlsx", nil
		case mimeCSV:
			return file, "csv", nil
		}
	}
	return file, "csv", nil
}

// paymentTable is a decision's payment list (danh sách chi tiền thưởng):
// the decision's title lines, the base salary in force on its date, then
// one row an award it conferred, in the decision's order, as the caller
// may see them — the coefficient and the amount (Award.rewardAmount), a
// note where there is none — and a totals row. A revoked award keeps its
// row, unpaid, with the revocation noted.
func (r *exporter) paymentTable(ctx context.Context, id string) ([][]cell, error) {
	dec, awards, err := r.decisionAwards(ctx, id)
	if err != nil {
		return nil, err
	}
	header := []cell{text("STT"), text("Họ và tên / Tên tập thể"), text("Chức vụ"), text("Đơn vị"), text("Hình thức khen thưởng"),
		text("Hạng"), text("Hệ số"), text("Số tiền (đồng)"), text("Ký nhận"), text("Ghi chú")}
	snap := r.svc.Reference()
	salary := "không có lương cơ sở nào từ trước ngày này"
	if b := domain.BaseSalaryOn(snap.BaseSalaries, dec.Date); b != nil {
		salary = viNumber(float64(b.Amount)) + " đồng (từ ngày " + viDate(b.From) + ")"
	}
	rows := append(decisionHead(dec, "Danh sách chi tiền thưởng", len(header), "Lương cơ sở ngày quyết định: "+salary), header)
	var total int64
	paid := 0
	for i := range awards {
		a := &awards[i]
		t, typ := snap.AwardType(a.AwardTypeID), snap.AwardTypeName(a.AwardTypeID)
		coefficient, amount, note := cell{}, cell{}, revokedNote(a)
		if rw := domain.AwardReward(a, t, snap.BaseSalaries); rw != nil {
			coefficient, amount = number(float64(rw.Coefficient.Thousandths)/1000), number(float64(rw.Amount))
			total += rw.Amount
			paid++
		} else if note == "" {
			note = "Không có mức thưởng"
		}
		rows = append(rows, []cell{number(float64(i + 1)), text(a.Recipient.Name), text(a.Recipient.Position),
			text(a.Recipient.Organization), text(typ), text(label("AwardClass", a.Class)), coefficient, amount, text(""), text(note)})
	}
	totals := make([]cell, len(header))
	totals[1] = text("Tổng cộng (" + viNumber(float64(paid)) + " được thưởng)")
	totals[7] = number(float64(total))
	return append(rows, totals), nil
}

// decisionAwards reads a decision and the awards it conferred, in the
// decision's order, as the caller may see them. An unknown or malformed id
// is NOT_FOUND.
func (r *exporter) decisionAwards(ctx context.Context, id string) (*domain.DecisionRecord, []domain.Award, error) {
	if domain.CheckID("id", id) != nil {
		return nil, nil, domain.NotFound("decision", id)
	}
	dec, err := r.svc.Decision(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if dec == nil {
		return nil, nil, domain.NotFound("decision", id)
	}
	var awards []domain.Award
	list := func(p domain.PageArgs) (*domain.Page[domain.Award], error) {
		return r.svc.Awards(ctx, domain.AwardFilter{DecisionID: dec.ID}, p)
	}
	if err := domain.EachPage(list, func(items []domain.Award) (bool, error) {
		awards = append(awards, items...)
		return len(awards) < maxExportRows, nil
	}); err != nil {
		return nil, nil, err
	}
	// The decision's order (its dossier's); any other after, stably.
	pos := func(a *domain.Award) int {
		if i := slices.Index(dec.AwardIDs, a.ID); i >= 0 {
			return i
		}
		return len(dec.AwardIDs)
	}
	slices.SortStableFunc(awards, func(a, b domain.Award) int { return pos(&a) - pos(&b) })
	return dec, awards, nil
}

// decisionHead are the title lines of a list annexed to a decision: what
// the list is, of which decision (number, date, authority), the issuing
// body, the signer and the legal basis, the lines more the list adds, then
// a blank line; width cells a line.
func decisionHead(dec *domain.DecisionRecord, what string, width int, more ...string) [][]cell {
	line := func(s string) []cell {
		row := make([]cell, width)
		row[0] = text(s)
		return row
	}
	title := what + " kèm theo Quyết định số " + dec.Number + " ngày " + viDate(dec.Date)
	if a, ok := Label("Authority", dec.Authority); ok {
		title += " của " + a
	}
	signer := dec.Signer.Name
	if dec.Signer.Position != "" {
		signer += ", " + dec.Signer.Position
	}
	rows := [][]cell{
		line(title),
		line("Cơ quan ban hành: " + dec.IssuedBy),
		line("Người ký: " + signer),
		line("Căn cứ: " + dec.LegalBasis),
	}
	for _, m := range more {
		rows = append(rows, line(m))
	}
	return append(rows, line(""))
}

// revokedNote says that an award was revoked, and by which decision; ""
// for any other.
func revokedNote(a *domain.Award) string {
	if a.Status != domain.StatusRevoked {
		return ""
	}
	note := label("AwardStatus", a.Status)
	if a.Revocation != nil {
		note += " (Quyết định số " + a.Revocation.Decision.Number + " ngày " + viDate(a.Revocation.Decision.Date) + ")"
	}
	return note
}
