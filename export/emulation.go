package export

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/sheet"
)

//	GET /reports/emulation/{provinceId}/{year}.csv | .xlsx ?sep= — the year-end report
//	GET /reports/templates/titles.xlsx — the template of importTitles' lists

// emulation serves the year-end report: per unit and title, registered
// beside proposed and conferred (service.EmulationReport's permissions).
func (r *exporter) emulation(w http.ResponseWriter, req *http.Request) {
	y := 0
	file, format, sep, ok := r.reportFile(w, req, func(name string) bool {
		var err error
		y, err = strconv.Atoi(name)
		return err == nil
	})
	if !ok {
		return
	}
	province := req.PathValue("province")
	rows, err := r.emulationTable(req.Context(), province, y)
	r.writeTable(w, req, "emulation-"+province+"-"+file, format, sep, "Đăng ký và kết quả thi đua", rows, err)
}

func (r *exporter) emulationTable(ctx context.Context, province string, y int) ([][]cell, error) {
	lines, err := r.svc.EmulationReport(ctx, province, y)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(lines))
	for _, l := range lines {
		if l.UnitID != "" {
			ids = append(ids, l.UnitID)
		}
	}
	units, err := r.svc.UnitsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	ref := r.svc.Reference()
	rows := [][]cell{{text("Đơn vị"), text("Danh hiệu"), text("Năm"), text("Đăng ký"), text("Đề nghị"), text("Được công nhận")}}
	for _, l := range lines {
		unit := "(không ghi đơn vị)"
		if u := units[l.UnitID]; u != nil {
			unit = u.Name
		}
		rows = append(rows, []cell{text(unit), text(ref.AwardTypeName(l.AwardTypeID)), year(y), number(float64(l.Registered)),
			number(float64(l.Proposed)), number(float64(l.Conferred))})
	}
	return rows, nil
}

// titlesTemplate serves the XLSX template of a list of year-end titles.
func (r *exporter) titlesTemplate(w http.ResponseWriter, req *http.Request) {
	var buf bytes.Buffer
	if err := sheet.Template(&buf); err != nil {
		r.writeError(w, req, err)
		return
	}
	w.Header().Set("Content-Type", domain.TypeXLSX)
	w.Header().Set("Content-Disposition", `attachment; filename="danh-sach-danh-hieu.xlsx"`)
	_, _ = w.Write(buf.Bytes())
}
