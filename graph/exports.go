package graph

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/repository"
)

// Reports people use, as files: a review's province-by-indicator table and
// an award list, as CSV (UTF-8 with a byte-order mark, so spreadsheet
// programs keep the diacritics) or as an Excel workbook. They are read with
// the caller's access, exactly as the GraphQL reads are.
//
//	GET /reports/reviews/{id}.csv | .xlsx
//	GET /reports/awards.csv | .xlsx ?provinceId=&year=&status=&awardTypeId=&authority=&search=

// maxExportRows bounds an award list export.
const maxExportRows = 10000

// Exports returns the handler of /reports/.
func (r *Resolver) Exports(logger *slog.Logger) http.Handler {
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

func splitFile(file string) (name, format string, ok bool) {
	name, format, ok = strings.Cut(file, ".")
	return name, format, ok && (format == "csv" || format == "xlsx")
}

func (r *Resolver) writeTable(w http.ResponseWriter, req *http.Request, logger *slog.Logger, name, format, title string, rows [][]string, err error) {
	if err != nil {
		status, msg := http.StatusInternalServerError, "internal error"
		switch domain.ErrorCode(err) {
		case domain.CodeNotFound:
			status, msg = http.StatusNotFound, "not found"
		case domain.CodeInvalid:
			status, msg = http.StatusBadRequest, err.Error()
		case domain.CodeUnavailable:
			status, msg = http.StatusServiceUnavailable, "service temporarily unavailable"
		default:
			logger.ErrorContext(req.Context(), "export failed", "err", err, "request_id", domain.RequestID(req.Context()))
		}
		http.Error(w, msg, status)
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
func (r *Resolver) reviewTable(ctx context.Context, id string) (string, [][]string, error) {
	oid, err := repository.ParseID("id", id)
	if err != nil {
		return "", nil, err
	}
	review, err := r.Store.PeriodReview(ctx, oid, readAccess(ctx))
	if err != nil {
		return "", nil, err
	}
	reports, err := r.Store.ReportsByReview(ctx, []bson.ObjectID{oid})
	if err != nil {
		return "", nil, err
	}
	snap := r.Catalog.Get()
	header := []string{"Tỉnh"}
	for _, ind := range snap.Indicators {
		header = append(header, ind.Name+" ("+ind.Unit+")")
	}
	rows := [][]string{header}
	byProvince := map[string]repository.ProvinceReport{}
	var order []string
	if _, y := snap.ClusterOf(review.Year); y != nil {
		order = append(order, y.Members...)
	}
	for _, rep := range reports[oid] {
		byProvince[rep.ProvinceID] = rep
		if !contains(order, rep.ProvinceID) {
			order = append(order, rep.ProvinceID)
		}
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
					cell = formatNumber(v.Value)
					if v.Total != nil {
						cell += "/" + formatNumber(*v.Total)
					}
				}
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	derived, reported := []string{"Cụm (tổng hợp từ báo cáo)"}, []string{"Cụm (số liệu tại hội nghị)"}
	for i := range snap.Indicators {
		ind := &snap.Indicators[i]
		f, _ := summarize(ind, reports[oid])
		text := ""
		if f != nil {
			text = f.Text
		}
		derived = append(derived, text)
		rtext := ""
		for _, rf := range review.ReportedFigures {
			if rf.IndicatorID == ind.ID {
				rtext = figureText(ind, reportedFigure(rf))
			}
		}
		reported = append(reported, rtext)
	}
	return "Tổng hợp " + strconv.Itoa(review.Year), append(rows, derived, reported), nil
}

// awardTable is the award list the query parameters select, as the caller
// may see it.
func (r *Resolver) awardTable(ctx context.Context, req *http.Request) ([][]string, error) {
	q := req.URL.Query()
	f := repository.AwardFilter{ProvinceID: q.Get("provinceId"), Status: q.Get("status"), AwardTypeID: q.Get("awardTypeId"),
		Authority: q.Get("authority"), Search: q.Get("search")}
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			return nil, domain.Invalid("year", "%q is not a year", y)
		}
		f.Year = &n
	}
	snap := r.Catalog.Get()
	rows := [][]string{{"Tỉnh", "Hình thức khen thưởng", "Hạng", "Cấp khen thưởng", "Đối tượng", "Tên", "Chức vụ", "Đơn vị",
		"Năm", "Trạng thái", "Số quyết định", "Ngày quyết định", "Trích yếu"}}
	first := repository.MaxPageSize
	var after *string
	for len(rows) <= maxExportRows {
		page, err := r.Store.Awards(ctx, f, readAccess(ctx), repository.PageArgs{First: &first, After: after})
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
