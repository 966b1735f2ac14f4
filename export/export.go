// Package export serves reports people use, as files: a review's
// province-by-indicator table and an award list, as CSV or Excel. It reads
// through the same service queries, with the caller's access, as the
// GraphQL API.
package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/service"
)

// CSV files are UTF-8 with a byte-order mark, so spreadsheet programs keep
// the diacritics.
//
//	GET /reports/reviews/{id}.csv | .xlsx
//	GET /reports/awards.csv | .xlsx ?provinceId=&year=&status=&awardTypeId=&authority=&search=

// maxExportRows bounds an award list export.
const maxExportRows = 10000

// Handler returns the handler of /reports/.
func Handler(svc *service.Service, logger *slog.Logger) http.Handler {
	r := &exporter{svc: svc}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /reports/reviews/{file}", func(w http.ResponseWriter, req *http.Request) {
		id, format, ok := splitFile(req.PathValue("file"))
		if !ok {
			http.NotFound(w, req)
			return
		}
		title, rows, err := r.reviewTable(req.Context(), id)
		r.writeTable(w, req, logger, "review-"+id, format, title, rows, err)
	})
	mux.HandleFunc("GET /reports/{file}", func(w http.ResponseWriter, req *http.Request) {
		name, format, ok := splitFile(req.PathValue("file"))
		if !ok || name != "awards" {
			http.NotFound(w, req)
			return
		}
		rows, err := r.awardTable(req.Context(), req)
		r.writeTable(w, req, logger, "awards", format, "Khen thưởng", rows, err)
	})
	return mux
}

type exporter struct{ svc *service.Service }

func splitFile(file string) (name, format string, ok bool) {
	name, format, ok = strings.Cut(file, ".")
	return name, format, ok && (format == "csv" || format == "xlsx")
}

func (r *exporter) writeTable(w http.ResponseWriter, req *http.Request, logger *slog.Logger, name, format, title string, rows [][]string, err error) {
	if err != nil {
		writeError(w, req, logger, err)
		return
	}
	var buf bytes.Buffer
	switch format {
	case "csv":
		buf.WriteString("\ufeff")
		cw := csv.NewWriter(&buf)
		_ = cw.WriteAll(rows)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	default:
		f := excelize.NewFile()
		sheet := title
		if len([]rune(sheet)) > 31 {
			sheet = string([]rune(sheet)[:31])
		}
		_ = f.SetSheetName("Sheet1", sheet)
		for i, row := range rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				_ = f.SetCellValue(sheet, cell, v)
			}
		}
		if err := f.Write(&buf); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	_, _ = w.Write(buf.Bytes())
}

// reviewTable is a review's province-by-indicator table: one row a province
// (the cluster's members that year, and any other that reported), then the
// cluster figures derived and as reported.
func (r *exporter) reviewTable(ctx context.Context, id string) (string, [][]string, error) {
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
	header := []string{"Tỉnh"}
	for _, ind := range snap.Indicators {
		header = append(header, ind.Name+" ("+ind.Unit+")")
	}
	rows := [][]string{header}
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
		row := []string{name}
		rep := byProvince[p]
		for _, ind := range snap.Indicators {
			cell := ""
			for _, v := range rep.Values {
				if v.IndicatorID == ind.ID {
					cell = domain.FormatNumber(v.Value)
					if v.Total != nil {
						cell += "/" + domain.FormatNumber(*v.Total)
					}
				}
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	derived, reported := []string{"Cụm (tổng hợp từ báo cáo)"}, []string{"Cụm (số liệu tại hội nghị)"}
	for _, s := range r.svc.Summary(review, reports) {
		text, rtext := "", ""
		if s.Derived != nil {
			text = s.Derived.Text
		}
		if s.ReportedFigure != nil {
			rtext = s.ReportedFigure.Text
		}
		derived, reported = append(derived, text), append(reported, rtext)
	}
	return "Tổng hợp " + strconv.Itoa(review.Year), append(rows, derived, reported), nil
}

// awardTable is the award list the query parameters select, as the caller
// may see it.
func (r *exporter) awardTable(ctx context.Context, req *http.Request) ([][]string, error) {
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
	snap := r.svc.Reference()
	rows := [][]string{{"Tỉnh", "Hình thức khen thưởng", "Hạng", "Cấp khen thưởng", "Đối tượng", "Tên", "Chức vụ", "Đơn vị",
		"Năm", "Trạng thái", "Số quyết định", "Ngày quyết định", "Trích yếu"}}
	first := domain.MaxPageSize
	var after *string
	for len(rows) <= maxExportRows {
		page, err := r.svc.Awards(ctx, f, domain.PageArgs{First: &first, After: after})
		if err != nil {
			return nil, err
		}
		for _, a := range page.Items {
			province, typ := a.ProvinceID, a.AwardTypeID
			if p := snap.Province(a.ProvinceID); p != nil {
				province = p.Name
			}
			if t := snap.AwardType(a.AwardTypeID); t != nil {
				typ = t.Name
			}
			num, date := "", ""
			if a.Decision != nil {
				num, date = a.Decision.Number, a.Decision.Date
			}
			rows = append(rows, []string{province, typ, a.Class, a.Authority, a.Recipient.Kind, a.Recipient.Name,
				a.Recipient.Position, a.Recipient.Organization, strconv.Itoa(a.Year), a.Status, num, date, a.Citation})
		}
		if !page.HasNext {
			break
		}
		after = &page.Cursors[len(page.Cursors)-1]
	}
	return rows, nil
}

// writeError answers a failed report with the status the error table gives
// its code; anything unexpected is logged once and shown as "internal
// error".
func writeError(w http.ResponseWriter, req *http.Request, logger *slog.Logger, err error) {
	code := domain.ErrorCode(err)
	msg := "internal error"
	var de *domain.Error
	switch {
	case code == domain.CodeInternal:
		logger.ErrorContext(req.Context(), "export failed", "err", err, "request_id", domain.RequestID(req.Context()))
	case errors.As(err, &de):
		msg = de.Message
	}
	http.Error(w, msg, code.HTTPStatus())
}
