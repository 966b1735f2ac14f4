// Package export serves reports people use, as files: a review's
// province-by-indicator table, an award list, the statistics form, a
// dossier list and a decision's annex, as CSV or Excel. It reads
// through the same service queries, with the caller's access, as the
// GraphQL API.
//
// The files are written for a Vietnamese commendation office: enum values
// in Vietnamese (labels.go), dates dd/mm/yyyy, numbers the Vietnamese way.
// CSV files are UTF-8 with a byte-order mark and, because a decimal comma
// collides with a comma field separator, are separated by semicolons by
// default, with numbers written "24.900", "5,46": what Excel in a
// Vietnamese locale opens as columns of numbers. ?sep=comma gives RFC 4180
// commas instead (numbers still Vietnamese-style, quoted where they hold a
// comma). Excel files have numeric cells with number formats, so sums work.
// Text that a spreadsheet would read as a formula is neutralised (cells.go).
package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/httpapi"
	"github.com/thidua/thidua/service"
)

//	GET /reports/reviews/{id}.csv | .xlsx ?sep=semicolon|comma
//	GET /reports/awards.csv | .xlsx ?provinceId=&year=&status=&awardTypeId=&authority=&search=&sep=
//	GET /reports/statistics/{year}.csv | .xlsx ?provinceId=&sep= (statform.go)
//	GET /reports/dossiers.csv | .xlsx ?provinceId=&status=&year=&authority=&kind=&search=&sep= (dossiers.go)
//	GET /reports/decisions/{id}.csv | .xlsx ?sep= (dossiers.go)
//	GET /reports/payments/{decisionId}[.csv | .xlsx] ?format=&sep= (payments.go)

// maxExportRows bounds an award list export (and a dossier list's rows).
const maxExportRows = 10000

// Handler returns the handler of /reports/.
func Handler(svc *service.Service, logger *slog.Logger) http.Handler {
	r := &exporter{svc: svc, writeError: httpapi.WriteError(logger)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /reports/reviews/{file}", func(w http.ResponseWriter, req *http.Request) {
		id, format, sep, ok := r.reportFile(w, req, nil)
		if !ok {
			return
		}
		title, rows, err := r.reviewTable(req.Context(), id)
		r.writeTable(w, req, "review-"+id, format, sep, title, rows, err)
	})
	mux.HandleFunc("GET /reports/statistics/{file}", func(w http.ResponseWriter, req *http.Request) {
		year, format, sep, ok := r.reportFile(w, req, nil)
		if !ok {
			return
		}
		name, title, rows, err := r.statTable(req.Context(), req, year)
		r.writeTable(w, req, name, format, sep, title, rows, err)
	})
	mux.HandleFunc("GET /reports/decisions/{file}", func(w http.ResponseWriter, req *http.Request) {
		id, format, sep, ok := r.reportFile(w, req, nil)
		if !ok {
			return
		}
		rows, err := r.decisionTable(req.Context(), id)
		r.writeTable(w, req, "decision-"+id, format, sep, "Danh sách khen thưởng", rows, err)
	})
	mux.HandleFunc("GET /reports/payments/{file}", r.payments)
	mux.HandleFunc("GET /reports/emulation/{province}/{file}", r.emulation)
	mux.HandleFunc("GET /reports/templates/titles.xlsx", r.titlesTemplate)
	mux.HandleFunc("GET /reports/{file}", func(w http.ResponseWriter, req *http.Request) {
		name, format, sep, ok := r.reportFile(w, req, func(name string) bool { return name == "awards" || name == "dossiers" })
		if !ok {
			return
		}
		if name == "dossiers" {
			rows, err := r.dossierTable(req.Context(), req)
			r.writeTable(w, req, "dossiers", format, sep, "Hồ sơ đề nghị khen thưởng", rows, err)
			return
		}
		rows, err := r.awardTable(req.Context(), req)
		r.writeTable(w, req, "awards", format, sep, "Khen thưởng", rows, err)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			r.writeError(w, req, &domain.Error{Code: domain.CodeMethodNotAllowed, Message: "reports are read with GET"})
			return
		}
		r.writeError(w, req, domain.NotFound("report", strings.TrimPrefix(req.URL.Path, "/reports/")))
	})
	return mux
}

type exporter struct {
	svc *service.Service
	// writeError answers a failed report as the GraphQL API answers
	// errors: the code's status, the field for bad input (the query
	// parameter), anything unexpected logged once as "internal error".
	writeError func(http.ResponseWriter, *http.Request, error)
}

// reportFile is the report the path's {file} names (not found unless
// valid, when given, accepts its name), its format and the ?sep= separator;
// on a bad request it writes the error and ok is false.
func (r *exporter) reportFile(w http.ResponseWriter, req *http.Request, valid func(name string) bool) (name, format string, sep rune, ok bool) {
	name, format, ok = splitFile(req.PathValue("file"))
	if !ok || valid != nil && !valid(name) {
		r.writeError(w, req, domain.NotFound("report", req.PathValue("file")))
		return "", "", 0, false
	}
	sep, err := separator(req)
	if err != nil {
		r.writeError(w, req, err)
		return "", "", 0, false
	}
	return name, format, sep, true
}

func splitFile(file string) (name, format string, ok bool) {
	name, format, ok = strings.Cut(file, ".")
	return name, format, ok && (format == "csv" || format == "xlsx")
}

// separator is the CSV field separator ?sep= asks for: ';' unless "comma".
func separator(req *http.Request) (rune, error) {
	switch s := req.URL.Query().Get("sep"); s {
	case "", "semicolon":
		return ';', nil
	case "comma":
		return ',', nil
	default:
		return 0, domain.Invalid("sep", "%q is not a separator: use semicolon (the default) or comma", s)
	}
}

func (r *exporter) writeTable(w http.ResponseWriter, req *http.Request, name, format string, sep rune, title string, rows [][]cell, err error) {
	if err != nil {
		r.writeError(w, req, err)
		return
	}
	var buf bytes.Buffer
	switch format {
	case "csv":
		err = writeCSV(&buf, rows, sep)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	default:
		err = writeXLSX(&buf, sheetName(title), rows)
		w.Header().Set("Content-Type", domain.TypeXLSX)
	}
	if err != nil {
		w.Header().Del("Content-Type")
		r.writeError(w, req, fmt.Errorf("writing %s.%s: %w", name, format, err))
		return
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	_, _ = w.Write(buf.Bytes())
}

// reviewTable is a review's province-by-indicator table: one row a member
// province of the cluster on the review's date, then the cluster figures
// derived from the reports and as reported at the conference. A RATIO
// indicator takes three columns: the count, the total and the percentage.
func (r *exporter) reviewTable(ctx context.Context, id string) (string, [][]cell, error) {
	review, err := r.svc.PeriodReview(ctx, id)
	if err != nil {
		return "", nil, err
	}
	if review == nil {
		return "", nil, domain.NotFound("period review", id)
	}
	all, err := r.svc.ReportsByReview(ctx, []string{id})
	if err != nil {
		return "", nil, err
	}
	reports := r.svc.Reports(review, all[id])
	snap := r.svc.Reference()
	header := []cell{text("Tỉnh")}
	for _, ind := range snap.Indicators {
		header = append(header, text(ind.Name+unitSuffix(ind.Unit)))
		if ind.Aggregation == domain.AggRatio {
			header = append(header, text(ind.Name+": tổng số"+unitSuffix(ind.Unit)), text(ind.Name+": tỷ lệ (%)"))
		}
	}
	rows := [][]cell{header}
	byProvince := map[string]domain.ProvinceReport{}
	var order []string
	if m := domain.ReviewMembership(snap, review); m != nil {
		order = append(order, m.Members...)
	}
	for _, rep := range reports {
		byProvince[rep.ProvinceID] = rep
	}
	for _, p := range order {
		name := p
		if pr := snap.Province(p); pr != nil {
			name = pr.Name
		}
		row := []cell{text(name)}
		rep := byProvince[p]
		for i := range snap.Indicators {
			ind := &snap.Indicators[i]
			var fig *domain.Figure
			for _, v := range rep.Values {
				if v.IndicatorID == ind.ID {
					value := v.Value
					fig = &domain.Figure{Value: &value, Total: v.Total}
					if v.Total != nil && *v.Total > 0 {
						ratio := math.Round(10000*v.Value / *v.Total) / 100
						fig.Ratio = &ratio
					}
				}
			}
			row = append(row, figureCells(ind, fig, "")...)
		}
		rows = append(rows, row)
	}
	derived, reported := []cell{text("Cụm (tổng hợp từ báo cáo)")}, []cell{text("Cụm (số liệu tại hội nghị)")}
	for _, s := range r.svc.Summary(review, reports) {
		qualifier := ""
		if s.Reported != nil {
			qualifier = s.Reported.Qualifier
		}
		derived = append(derived, figureCells(s.Indicator, s.Derived, "")...)
		reported = append(reported, figureCells(s.Indicator, s.ReportedFigure, qualifier)...)
	}
	return "Tổng hợp " + strconv.Itoa(review.Year), append(rows, derived, reported), nil
}

func unitSuffix(unit string) string {
	if unit == "" {
		return ""
	}
	return " (" + unit + ")"
}

// figureCells are the cells of a figure in its indicator's columns, the
// qualifier's words before the first one filled: a number, or a range as
// text ("5,46–9,15 %"); for a RATIO indicator the count, the total and the
// percentage.
func figureCells(ind *domain.Indicator, f *domain.Figure, qualifier string) []cell {
	n := 1
	if ind.Aggregation == domain.AggRatio {
		n = 3
	}
	cells := make([]cell, n)
	if f == nil {
		return cells
	}
	num := func(v *float64) cell {
		if v == nil {
			return cell{}
		}
		return number(*v)
	}
	switch {
	case ind.Aggregation == domain.AggRatio:
		cells[0], cells[1], cells[2] = num(f.Value), num(f.Total), num(f.Ratio)
	case f.Min != nil && f.Max != nil && *f.Min == *f.Max:
		cells[0] = number(*f.Min)
	case f.Min != nil && f.Max != nil:
		unit := ""
		if ind.Unit != "" {
			unit = " " + ind.Unit
		}
		cells[0] = text(viNumber(*f.Min) + "–" + viNumber(*f.Max) + unit)
	case f.Value != nil:
		cells[0] = number(*f.Value)
	case f.Ratio != nil:
		cells[0] = number(*f.Ratio)
	}
	for i := range cells {
		if !cells[i].empty() {
			cells[i] = cells[i].withPrefix(qualifier)
			break
		}
	}
	return cells
}

// awardTable is the award list the query parameters select, as the caller
// may see it, at most maxExportRows awards.
func (r *exporter) awardTable(ctx context.Context, req *http.Request) ([][]cell, error) {
	q := req.URL.Query()
	f := domain.AwardFilter{ProvinceID: q.Get("provinceId"), Status: q.Get("status"), AwardTypeID: q.Get("awardTypeId"),
		Authority: q.Get("authority"), Search: q.Get("search")}
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			return nil, domain.Invalid("year", "%q is not a year", y)
		}
		f.Year = &n
	}
	if _, ok := Label("AwardStatus", f.Status); f.Status != "" && !ok {
		return nil, domain.Invalid("status", "%q is not an award status", f.Status)
	}
	if _, ok := Label("Authority", f.Authority); f.Authority != "" && !ok {
		return nil, domain.Invalid("authority", "%q is not an authority", f.Authority)
	}
	if err := domain.CheckAwardFilter(f); err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			e := *de
			e.Field = strings.TrimPrefix(e.Field, "filter.")
			return nil, &e
		}
		return nil, err
	}
	snap := r.svc.Reference()
	rows := [][]cell{{text("Tỉnh"), text("Hình thức khen thưởng"), text("Hạng"), text("Cấp khen thưởng"), text("Đối tượng"),
		text("Tên"), text("Chức vụ"), text("Đơn vị"), text("Năm"), text("Trạng thái"), text("Số quyết định"),
		text("Ngày quyết định"), text("Trích yếu")}}
	list := func(p domain.PageArgs) (*domain.Page[domain.Award], error) { return r.svc.Awards(ctx, f, p) }
	err := domain.EachPage(list, func(items []domain.Award) (bool, error) {
		for _, a := range items {
			if len(rows)-1 == maxExportRows {
				break
			}
			province, typ := snap.ProvinceName(a.ProvinceID), snap.AwardTypeName(a.AwardTypeID)
			num, day := text(""), text("")
			if a.Decision != nil {
				num, day = text(a.Decision.Number), date(a.Decision.Date)
			}
			rows = append(rows, []cell{text(province), text(typ), text(label("AwardClass", a.Class)),
				text(label("Authority", a.Authority)), text(label("RecipientKind", a.Recipient.Kind)),
				text(a.Recipient.Name), text(a.Recipient.Position), text(a.Recipient.Organization), year(a.Year),
				text(label("AwardStatus", a.Status)), num, day, text(a.Citation)})
		}
		return len(rows)-1 < maxExportRows, nil
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}
