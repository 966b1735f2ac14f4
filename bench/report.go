package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

func find(cells []cell, backend string, size int, op string, floor bool, conc int) *cell {
	for i := range cells {
		c := &cells[i]
		if c.Backend == backend && c.Size == size && c.Op == op && c.Floor == floor && c.Conc == conc {
			return c
		}
	}
	return nil
}

func report(cells []cell, runs []runInfo, dur time.Duration) string {
	var b strings.Builder
	m := machine()
	fmt.Fprintf(&b, "# thidua benchmark results\n\n")
	fmt.Fprintf(&b, "Produced by `bench/run.sh` (see `bench/README.md`) on %s. Do not edit by hand.\n\n", m["date"])
	fmt.Fprintf(&b, "Machine: %s, %s cores, %s memory, %s, %s. Each cell drives one operation for %s with\n", m["cpu"], m["cores"], m["memory"], m["go"], m["os"], dur)
	fmt.Fprintf(&b, "that many concurrent clients from the same machine (the load generator, the service and the database share the cores).\n")
	fmt.Fprintf(&b, "Latencies are milliseconds per request; *round trips* are database commands per request (from `thidua_db_commands_total`).\n")
	fmt.Fprintf(&b, "*Driver floor* rows do the same reads directly with the driver: the difference is the API's own cost (HTTP, auth, GraphQL, JSON).\n")
	fmt.Fprintf(&b, "*net/http floor* rows send the same request to a plain Go net/http server that answers the service's bytes and headers\n")
	fmt.Fprintf(&b, "(a second process, measured just after): its CPU per request is what Go's HTTP server and the loopback cost alone.\n\n")
	fmt.Fprintf(&b, "![p50 latency against data set size](latency.svg)\n\n")

	backends, sizes := keys(cells)
	b.WriteString("## Targets\n\n| target | backend | measured | met |\n|---|---|---|---|\n")
	for _, be := range backends {
		for _, size := range sizes {
			api, floor := find(cells, be, size, "point", false, 1), find(cells, be, size, "point", true, 1)
			if api != nil && floor != nil && floor.P50 > 0 {
				over := (api.P50 - floor.P50) / floor.P50 * 100
				fmt.Fprintf(&b, "| point read: API overhead under 50 %% of the driver floor (p50, 1 client, %s awards) | %s | %.2f ms vs %.2f ms: %+.0f %% | %s |\n",
					human(size), be, api.P50, floor.P50, over, yes(over < 50))
			}
		}
	}
	for _, be := range backends {
		for _, size := range sizes {
			if c := find(cells, be, size, "page50", false, 1); c != nil {
				fmt.Fprintf(&b, "| 50-award page with nested fields: at most 4 round trips (%s awards) | %s | %.1f | %s |\n", human(size), be, c.RoundTrips, yes(c.RoundTrips <= 4))
			}
		}
	}
	for _, be := range backends {
		for _, size := range sizes {
			for _, conc := range []int{8, 32} {
				r, t := find(cells, be, size, "reference", false, conc), find(cells, be, size, "typename", false, conc)
				if r != nil && t != nil && t.Throughput > 0 {
					ratio := r.Throughput / t.Throughput
					fmt.Fprintf(&b, "| reference-data query: at least half the throughput of `{ __typename }` (%d clients, %s awards) | %s | %.0f vs %.0f req/s: %.2f | %s |\n",
						conc, human(size), be, r.Throughput, t.Throughput, ratio, yes(ratio >= 0.5))
				}
			}
		}
	}
	// Storage targets (lists served by the read model where the service is
	// the only writer): 100,000 awards on the embedded server.
	for _, be := range backends {
		c1, c8 := find(cells, be, 100000, "page50", false, 1), find(cells, be, 100000, "page50", false, 8)
		if c1 != nil && c1.N >= 0 {
			fmt.Fprintf(&b, "| 50-award page with province, award type, movement and totalCount: p50 ≤ 5 ms (1 client, 100k awards) | %s | %.2f ms | %s |\n", be, c1.P50, yes(c1.P50 <= 5))
		}
		if c8 != nil && c8.N >= 0 {
			fmt.Fprintf(&b, "| the same page: at least 300 req/s (8 clients, 100k awards) | %s | %.0f req/s | %s |\n", be, c8.Throughput, yes(c8.Throughput >= 300))
		}
		if c := find(cells, be, 100000, "search", false, 1); c != nil && c.N >= 0 {
			fmt.Fprintf(&b, "| recipient-name search with totalCount: p50 ≤ 20 ms (1 client, 100k awards) | %s | %.2f ms | %s |\n", be, c.P50, yes(c.P50 <= 20))
		}
		if c := find(cells, be, 100000, "point", false, 1); c != nil && c.N >= 0 {
			fmt.Fprintf(&b, "| `award(id)`: p50 ≤ 2 ms (1 client, 100k awards) | %s | %.2f ms | %s |\n", be, c.P50, yes(c.P50 <= 2))
		}
		// Lookups by _id (the embedded server's index on the expression
		// FerretDB looks _id up by, embeddb/idindex.go).
		for _, t := range []struct {
			op, what string
			floor    bool
			bound    float64
		}{
			{"point", "the driver's point read (FindOne by _id)", true, 2},
			{"update", "`updateAward`", false, 10},
			{"mutation", "`createAward`", false, 10},
			{"download", "a 5 MB download (`GET /files/{id}`)", false, 100},
		} {
			if c := find(cells, be, 100000, t.op, t.floor, 1); c != nil && c.N > 0 {
				fmt.Fprintf(&b, "| %s: p50 ≤ %.0f ms (1 client, 100k awards) | %s | %.2f ms | %s |\n", t.what, t.bound, be, c.P50, yes(c.P50 <= t.bound))
			}
		}
	}
	// Dossiers and decisions: the list at 10k dossiers (one dossier per
	// ten awards is stored: 10k at 100k awards), and one decision of 50 recipients; round trips
	// must not grow with the page or the recipients.
	for _, be := range backends {
		for _, size := range sizes {
			c := find(cells, be, size, "dossiers", false, 1)
			if c == nil || c.N < 0 {
				continue
			}
			if min(size/awardsPerDossier, maxDossiers) >= 10000 {
				fmt.Fprintf(&b, "| 50 dossiers with recipients' names and award types and totalCount: p50 ≤ 20 ms (1 client, %s dossiers, %s awards) | %s | %.2f ms | %s |\n",
					human(min(size/awardsPerDossier, maxDossiers)), human(size), be, c.P50, yes(c.P50 <= 20))
			}
			fmt.Fprintf(&b, "| the same list: at most 4 round trips (%s dossiers) | %s | %.1f | %s |\n", human(min(size/awardsPerDossier, maxDossiers)), be, c.RoundTrips, yes(c.RoundTrips <= 4))
		}
	}
	for _, be := range backends {
		for _, size := range sizes {
			if c := find(cells, be, size, "decision50", false, 1); c != nil && c.N > 0 {
				fmt.Fprintf(&b, "| `recordDecision` on a dossier of 50 recipients: p50 ≤ 150 ms (%d decisions, %s awards) | %s | %.1f ms | %s |\n", c.N, human(size), be, c.P50, yes(c.P50 <= 150))
				fmt.Fprintf(&b, "| the same decision: at most 10 round trips, not one per recipient (%s awards) | %s | %.1f | %s |\n", human(size), be, c.RoundTrips, yes(c.RoundTrips <= 10))
			}
		}
	}
	// The API's own CPU per request (8 clients, every size measured).
	for _, be := range backends {
		for _, size := range sizes {
			for _, t := range []struct {
				op, what string
				bound    float64
			}{
				{"typename", "`{ __typename }`", 0.035},
				{"reference", "reference data", 0.05},
				{"point", "`award(id)`", 0.06},
				{"page50", "the 50-award page", 0.8},
			} {
				c := find(cells, be, size, t.op, false, 8)
				if c == nil || c.N <= 0 {
					continue
				}
				measured := fmt.Sprintf("%.3f ms", c.CPUms)
				if f := find(cells, be, size, t.op, true, 8); f != nil && f.N > 0 && isHTTPFloor(t.op) {
					measured += fmt.Sprintf(" (net/http alone, the same bytes, just after: %.3f ms)", f.CPUms)
				}
				fmt.Fprintf(&b, "| %s: service CPU ≤ %g ms a request (8 clients, %s awards) | %s | %s | %s |\n", t.what, t.bound, human(size), be, measured, yes(c.CPUms <= t.bound))
			}
			if c := find(cells, be, size, "page50", false, 8); c != nil && c.N > 0 {
				fmt.Fprintf(&b, "| the 50-award page: at least 1,500 req/s (8 clients, %s awards) | %s | %.0f req/s | %s |\n", human(size), be, c.Throughput, yes(c.Throughput >= 1500))
			}
			if c := find(cells, be, size, "dossiers", false, 8); c != nil && c.N > 0 {
				fmt.Fprintf(&b, "| the dossier list of 50 with recipients: at least 400 req/s (8 clients, %s awards) | %s | %.0f req/s | %s |\n", human(size), be, c.Throughput, yes(c.Throughput >= 400))
			}
		}
	}
	for _, ri := range runs {
		if ri.Size == 100000 && ri.StartSec > 0 {
			fmt.Fprintf(&b, "| start to ready ≤ 30 s (100k awards) | %s | %.1f s | %s |\n", ri.Backend, ri.StartSec, yes(ri.StartSec <= 30))
		}
		if ri.Size == 100000 {
			fmt.Fprintf(&b, "| resident memory ≤ 400 MB at 100k awards | %s | %.0f MB | %s |\n", ri.Backend, ri.MaxRSS, yes(ri.MaxRSS <= 400))
		}
	}
	for _, ri := range runs {
		if ri.Size == 10000 {
			what := "the service (its embedded FerretDB and SQLite included)"
			if ri.Backend != "sqlite" {
				what = "the service (the database server apart)"
			}
			fmt.Fprintf(&b, "| resident memory under load under 200 MB at 10k awards: %s | %s | %.0f MB | %s |\n", what, ri.Backend, ri.MaxRSS, yes(ri.MaxRSS < 200))
		}
	}

	b.WriteString("\n## Runs\n\n| backend | awards | load time | start to ready | peak resident memory of the service, API driven | the same, driver-floor reads included |\n|---|---|---|---|---|---|\n")
	for _, ri := range runs {
		fmt.Fprintf(&b, "| %s | %s | %.1f s | %.1f s | %.0f MB | %.0f MB |\n", ri.Backend, human(ri.Size), ri.LoadSec, ri.StartSec, ri.MaxRSS, ri.MaxRSSFloor)
	}
	b.WriteString("\nThe driver-floor reads go straight to the database; with the embedded server it runs inside the service's\n")
	b.WriteString("process and decodes whole collections for them, so the memory targets are read while the API is driven.\n")
	ops := []string{"point", "page50", "search", "review", "mutation", "update", "move", "download", "dossiers", "decision50", "reference", "typename"}
	for _, be := range backends {
		for _, size := range sizes {
			fmt.Fprintf(&b, "\n## %s, %s awards\n\n| operation | clients | req/s | service CPU ms/req | p50 | p95 | p99 | round trips | failures |\n|---|---|---|---|---|---|---|---|---|\n", be, human(size))
			for _, op := range ops {
				for _, floor := range []bool{false, true} {
					for _, conc := range []int{1, 8, 32} {
						c := find(cells, be, size, op, floor, conc)
						if c == nil {
							continue
						}
						name, rt := op, fmt.Sprintf("%.1f", c.RoundTrips)
						if floor && isHTTPFloor(op) {
							name, rt = op+" (net/http floor)", "—"
						} else if floor {
							name, rt = op+" (driver floor)", "—"
						}
						if c.N < 0 {
							fmt.Fprintf(&b, "| %s | %d | not run: one request alone takes over a second | | | | | %s | |\n", name, conc, rt)
							continue
						}
						cpu := "—"
						if !floor || isHTTPFloor(op) {
							cpu = fmt.Sprintf("%.3f", c.CPUms)
						}
						fmt.Fprintf(&b, "| %s | %d | %.0f | %s | %.2f | %.2f | %.2f | %s | %d |\n", name, conc, c.Throughput, cpu, c.P50, c.P95, c.P99, rt, c.Failures)
					}
				}
			}
		}
	}
	b.WriteString("\nOperations: point = `award(id)`; page50 = 50 awards of a province with province, award type, movement and totalCount;\n")
	b.WriteString("search = recipient-name search without diacritics, 20 results and totalCount; review = the 2022 review with 7 province reports\n")
	b.WriteString("and the summary; mutation = `createAward` by the lang-son editor; update = `updateAward` of a PROPOSED lang-son award by its editor;\n")
	b.WriteString("move = a lang-son dossier's `returnDossier` (SUBMITTED → RETURNED, its vetter) or `submitDossier` (back, its editor, with the\n")
	b.WriteString("submission's checks), one request each; download = `GET /files/{id}` of a 5 MB PDF (11 stored, 55 MB) by the lang-son editor; dossiers = `dossiers(first: 50)` with each one's 5 recipients'\n")
	b.WriteString("names and award types and totalCount, by a viewer of `*` (min(awards, 10k) dossiers stored); decision50 = `recordDecision` on a\n")
	b.WriteString("vetted lang-son dossier of 50 individuals by its decider, one warm-up then 9 decisions one after the other (1 client only);\n")
	b.WriteString("reference = provinces, award types and indicators; typename = `{ __typename }`. Other reads are anonymous (published records).\n")
	return b.String()
}

func keys(cells []cell) ([]string, []int) {
	bs, ss := map[string]bool{}, map[int]bool{}
	for _, c := range cells {
		bs[c.Backend], ss[c.Size] = true, true
	}
	var backends []string
	for k := range bs {
		backends = append(backends, k)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(backends))) // sqlite first
	var sizes []int
	for k := range ss {
		sizes = append(sizes, k)
	}
	sort.Ints(sizes)
	return backends, sizes
}

func human(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// plot draws p50 latency (1 client) against data set size, log–log, one
// line per operation and backend.
func plot(cells, old []cell) string {
	const w, h, left, right, top, bottom = 760.0, 440.0, 70.0, 190.0, 30.0, 50.0
	backends, sizes := keys(cells)
	ops := []string{"point", "page50", "search", "review", "mutation"}
	colors := map[string]string{"point": "#1f77b4", "page50": "#d62728", "search": "#2ca02c", "review": "#9467bd", "mutation": "#ff7f0e"}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range append(append([]cell(nil), cells...), old...) {
		if !c.Floor && c.Conc == 1 && c.P50 > 0 && inCells(cells, c.Backend) {
			lo, hi = math.Min(lo, c.P50), math.Max(hi, c.P50)
		}
	}
	if math.IsInf(lo, 0) || len(sizes) == 0 {
		return `<svg xmlns="http://www.w3.org/2000/svg"/>`
	}
	ylo, yhi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if yhi == ylo {
		yhi++
	}
	xlo, xhi := math.Log10(float64(sizes[0])), math.Log10(float64(sizes[len(sizes)-1]))
	if xhi == xlo {
		xhi++
	}
	x := func(size int) float64 { return left + (math.Log10(float64(size))-xlo)/(xhi-xlo)*(w-left-right) }
	y := func(ms float64) float64 { return h - bottom - (math.Log10(ms)-ylo)/(yhi-ylo)*(h-top-bottom) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="12">`+"\n", w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/><text x="%.0f" y="18" font-size="14">p50 latency, 1 client, against awards stored (log–log); faint: before the read model</text>`+"\n", left)
	for e := ylo; e <= yhi; e++ {
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#ddd"/><text x="%.0f" y="%.1f" text-anchor="end">%s ms</text>`+"\n",
			left, w-right, y(math.Pow(10, e)), y(math.Pow(10, e)), left-6, y(math.Pow(10, e))+4, trimFloat(math.Pow(10, e)))
	}
	for _, s := range sizes {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.0f" y2="%.0f" stroke="#ddd"/><text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`+"\n",
			x(s), x(s), top, h-bottom, x(s), h-bottom+18, human(s))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">awards</text>`+"\n", (left+w-right)/2, h-10)
	ly := top + 10
	// The earlier run, faint, behind the new one (the same backends only).
	for _, be := range backends {
		for _, op := range ops {
			var pts []string
			for _, s := range sizes {
				if c := find(old, be, s, op, false, 1); c != nil && c.P50 > 0 {
					pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(s), y(c.P50)))
				}
			}
			if len(pts) > 0 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-opacity="0.35" stroke-width="2" stroke-dasharray="2 3" points="%s"/>`+"\n", colors[op], strings.Join(pts, " "))
			}
		}
	}
	for _, be := range backends {
		dash := ""
		if be != "sqlite" {
			dash = ` stroke-dasharray="6 4"`
		}
		for _, op := range ops {
			var pts []string
			for _, s := range sizes {
				if c := find(cells, be, s, op, false, 1); c != nil && c.P50 > 0 {
					pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(s), y(c.P50)))
				}
			}
			if len(pts) == 0 {
				continue
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>`+"\n", colors[op], dash, strings.Join(pts, " "))
			fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.0f" y2="%.0f" stroke="%s" stroke-width="2"%s/><text x="%.0f" y="%.0f">%s · %s</text>`+"\n",
				w-right+10, w-right+40, ly, ly, colors[op], dash, w-right+46, ly+4, op, be)
			ly += 18
		}
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%g", v)
	return s
}

func inCells(cells []cell, backend string) bool {
	for _, c := range cells {
		if c.Backend == backend {
			return true
		}
	}
	return false
}
