package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// An operation is one request of a kind, made by a worker; it returns an
// error when the response is not a success.
type operation struct {
	name string
	desc string
	api  bool // through the API (else: the driver floor)
	do   func(ctx context.Context, r *rand.Rand) error
}

// client sends GraphQL requests to the service.
type client struct {
	url  string
	http *http.Client
}

func (c *client) gql(ctx context.Context, token, query string, vars map[string]any) error {
	_, err := c.gqlRaw(ctx, token, query, vars)
	return err
}

// gqlRaw is gql returning the response's body.
func (c *client) gqlRaw(ctx context.Context, token, query string, vars map[string]any) ([]byte, error) {
	buf := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(buf)
	if err := c.post(ctx, token, requestBody(query, vars), buf); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// requestBody is a GraphQL request's JSON body.
func requestBody(query string, vars map[string]any) []byte {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return body
}

// bodies are response buffers, reused: the load generator shares the
// service's two cores, so what it spends per request is the service's
// loss (reads send bodies built before the cell: prebuilt).
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// prebuilt sends one of the request bodies built before the cell and
// checks the answer, allocating next to nothing per request.
func (c *client) prebuilt(ctx context.Context, token string, body []byte) error {
	buf := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(buf)
	return c.post(ctx, token, body, buf)
}

// post sends body and reads the answer into buf; an HTTP status but 200,
// or an answer with errors, is an error.
func (c *client) post(ctx context.Context, token string, body []byte, buf *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", res.StatusCode)
	}
	if bytes.Contains(buf.Bytes(), []byte(`"errors"`)) {
		return fmt.Errorf("errors: %.200s", buf.Bytes())
	}
	return nil
}

// each builds a request body per value of a variable.
func each(query, name string, values []string) [][]byte {
	out := make([][]byte, len(values))
	for i, v := range values {
		out[i] = requestBody(query, map[string]any{name: v})
	}
	return out
}

// download reads GET /files/{id} whole and checks its length.
func (c *client) download(ctx context.Context, token, id string, want int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+"/files/"+id, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK || n != want {
		return fmt.Errorf("HTTP %d, %d bytes of %d", res.StatusCode, n, want)
	}
	return nil
}

// versioned is a record that requests change one at a time (a worker
// holds mu from its read of version to the response), so that each sends
// the version it read: a pool of them is shared by the workers.
type versioned struct {
	mu      sync.Mutex
	id      string
	version int
	status  string
}

func pool(ids []string, status string) []*versioned {
	out := make([]*versioned, len(ids))
	for i, id := range ids {
		out[i] = &versioned{id: id, version: 1, status: status}
	}
	return out
}

// versionOf reads data.<field>.version from a GraphQL response.
func versionOf(raw []byte, field string) (int, error) {
	var res struct {
		Data map[string]struct {
			Version int `json:"version"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return 0, err
	}
	v := res.Data[field].Version
	if v == 0 {
		return 0, fmt.Errorf("no version in %.200s", raw)
	}
	return v, nil
}

const (
	qPoint  = `query($id: ID!) { award(id: $id) { id year status recipient { name } } }`
	qPage50 = `query($p: ID) { awards(first: 50, filter: {provinceId: $p}) { totalCount edges { node {
	  id year status class recipient { name position organization } province { id name }
	  awardType { id name } movement { id title } } } } }`
	qSearch = `query($q: String) { awards(first: 20, filter: {recipientName: $q}) { totalCount edges { node {
	  id recipient { name } province { name } } } } }`
	qReview = `query($id: ID!) { periodReview(id: $id) { kind date hostProvince { name } movements { title }
	  reports { province { name } values { indicator { id } value total } }
	  summary { indicator { id name unit } derived { text } reported { figure { text } } provincesReported } } }`
	qRefs     = `{ provinces { id name isoCode statisticsCode } awardTypes { id name form } indicators { id name unit } }`
	qTypename = `{ __typename }`
	qCreate   = `mutation($in: AwardInput!) { createAward(input: $in) { id version } }`
	qDossiers = `{ dossiers(first: 50) { totalCount edges { node {
	  id status title recipients { recipient { name } awardType { name } } } } } }`
	qUpdate = `mutation($id: ID!, $in: AwardInput!, $v: Int!) { updateAward(id: $id, input: $in, expectedVersion: $v) { id version } }`
	qReturn = `mutation($id: ID!, $v: Int!) { returnDossier(id: $id, expectedVersion: $v, reasons: ["Bổ sung biên bản họp Hội đồng"]) { id version } }`
	qSubmit = `mutation($id: ID!, $v: Int!) { submitDossier(id: $id, expectedVersion: $v) { id version } }`
	qDecide = `mutation($in: CommendationDecisionInput!) { recordDecision(input: $in, expectedVersion: 1) { id number legalBasis } }`
)

// fixedRuns are the operations that consume what they act on (a vetted
// dossier is decided once): each runs once to warm up and then this many
// times, one after the other with a single client, instead of for the cell
// duration at each concurrency; round trips are averaged over all the runs.
var fixedRuns = map[string]int{"decision50": decisionDossiers - 1}

var searches = []string{"nguyen van", "tran thi", "hoang duc", "lo van", "dang minh", "vang", "sung thi"}

func apiOps(c *client, ds *dataset, editor, viewerAll, decider, vetter string) []operation {
	var next atomic.Int64 // the next vetted dossier to decide
	var nextAward, nextDossier atomic.Int64
	awards, dossiers := pool(ds.proposed, ""), pool(ds.moving, "SUBMITTED")
	points, pages, finds := each(qPoint, "id", ds.awardIDs), each(qPage50, "p", ds.provinces), each(qSearch, "q", searches)
	review, dossierList := requestBody(qReview, map[string]any{"id": ds.reviewID}), requestBody(qDossiers, nil)
	refs, typename := requestBody(qRefs, nil), requestBody(qTypename, nil)
	return []operation{
		{"point", "award(id) by id", true, func(ctx context.Context, r *rand.Rand) error {
			return c.prebuilt(ctx, "", points[r.IntN(len(points))])
		}},
		{"page50", "50 awards of a province, with province, type, movement, totalCount", true, func(ctx context.Context, r *rand.Rand) error {
			return c.prebuilt(ctx, "", pages[r.IntN(len(pages))])
		}},
		{"search", "recipient-name search, diacritics ignored, 20 results and totalCount", true, func(ctx context.Context, r *rand.Rand) error {
			return c.prebuilt(ctx, "", finds[r.IntN(len(finds))])
		}},
		{"review", "the 2022 review with 7 province reports and the summary", true, func(ctx context.Context, r *rand.Rand) error {
			return c.prebuilt(ctx, "", review)
		}},
		{"mutation", "createAward by the lang-son editor", true, func(ctx context.Context, r *rand.Rand) error {
			return c.gql(ctx, editor, qCreate, map[string]any{"in": map[string]any{
				"provinceId": "lang-son", "awardTypeId": "bang-khen-chu-tich-tinh", "authority": "PROVINCE_CHAIR",
				"recipient": map[string]any{"kind": "INDIVIDUAL", "name": "Nguyễn Văn Thử " + fmt.Sprint(r.IntN(1e6))},
				"year":      2024, "status": "PROPOSED"}})
		}},
		{"update", "updateAward of a PROPOSED lang-son award by the lang-son editor", true, func(ctx context.Context, r *rand.Rand) error {
			a := awards[int(nextAward.Add(1))%len(awards)]
			a.mu.Lock()
			defer a.mu.Unlock()
			raw, err := c.gqlRaw(ctx, editor, qUpdate, map[string]any{"id": a.id, "v": a.version, "in": map[string]any{
				"provinceId": "lang-son", "awardTypeId": "bang-khen-chu-tich-tinh", "authority": "PROVINCE_CHAIR",
				"recipient": map[string]any{"kind": "INDIVIDUAL", "name": "Nguyễn Văn Sửa " + fmt.Sprint(r.IntN(1e6))},
				"year":      2024, "status": "PROPOSED"}})
			if err != nil {
				return err
			}
			a.version, err = versionOf(raw, "updateAward")
			return err
		}},
		{"move", "a lang-son dossier moved: SUBMITTED → RETURNED by its vetter, or RETURNED → SUBMITTED by its editor (checks included)", true, func(ctx context.Context, r *rand.Rand) error {
			d := dossiers[int(nextDossier.Add(1))%len(dossiers)]
			d.mu.Lock()
			defer d.mu.Unlock()
			q, token, field, then := qReturn, vetter, "returnDossier", "RETURNED"
			if d.status == "RETURNED" {
				q, token, field, then = qSubmit, editor, "submitDossier", "SUBMITTED"
			}
			raw, err := c.gqlRaw(ctx, token, q, map[string]any{"id": d.id, "v": d.version})
			if err != nil {
				return err
			}
			if d.version, err = versionOf(raw, field); err != nil {
				return err
			}
			d.status = then
			return nil
		}},
		{"download", "GET /files/{id} of a 5 MB attachment (of 11 stored) by the lang-son editor", true, func(ctx context.Context, r *rand.Rand) error {
			return c.download(ctx, editor, ds.files[r.IntN(len(ds.files))], attachmentBytes)
		}},
		{"dossiers", "50 dossiers (of all) with 5 recipients' names and award types, and totalCount, by a viewer of *", true, func(ctx context.Context, r *rand.Rand) error {
			return c.prebuilt(ctx, viewerAll, dossierList)
		}},
		{"decision50", "recordDecision on a vetted lang-son dossier of 50 individuals, by its decider", true, func(ctx context.Context, r *rand.Rand) error {
			i := int(next.Add(1)) - 1
			if i >= len(ds.vetted) {
				return fmt.Errorf("no vetted dossier left (%d decided)", i)
			}
			return c.gql(ctx, decider, qDecide, map[string]any{"in": map[string]any{
				"dossierId": ds.vetted[i], "number": fmt.Sprintf("%d/QĐ-UBND", 2400+i), "date": "2026-11-20",
				"issuedBy": "Ủy ban nhân dân tỉnh Lạng Sơn", "signer": map[string]any{"name": "Hồ Tiến Thiệu", "position": "Chủ tịch"}}})
		}},
		{"reference", "provinces, award types, indicators (memory only)", true, func(ctx context.Context, r *rand.Rand) error {
			return c.prebuilt(ctx, "", refs)
		}},
		{"typename", "{ __typename } (the HTTP and GraphQL floor)", true, func(ctx context.Context, r *rand.Rand) error {
			return c.prebuilt(ctx, "", typename)
		}},
	}
}

// floorOps are the same reads done directly with the driver, with the same
// filters the repository uses: the API's own overhead is the difference.
func floorOps(db *mongo.Database, ds *dataset) []operation {
	awards, reviews, reports, movements := db.Collection("awards"), db.Collection("period_reviews"),
		db.Collection("province_reports"), db.Collection("movements")
	published := bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "published", Value: true}}, bson.D{{Key: "owner", Value: bson.D{{Key: "$in", Value: bson.A{}}}}}}}}
	sorted := options.Find().SetSort(bson.D{{Key: "year", Value: -1}, {Key: "_id", Value: -1}})
	return []operation{
		{"point", "FindOne by _id (visibility checked on the result, as the repository does)", false, func(ctx context.Context, r *rand.Rand) error {
			id, _ := bson.ObjectIDFromHex(ds.awardIDs[r.IntN(len(ds.awardIDs))])
			var doc bson.M
			if err := awards.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
				return err
			}
			if doc["published"] != true {
				return fmt.Errorf("not visible")
			}
			return nil
		}},
		{"page50", "Find 51 + CountDocuments + movements by $in", false, func(ctx context.Context, r *rand.Rand) error {
			f := bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "provinceId", Value: ds.provinces[r.IntN(len(ds.provinces))]}}, published}}}
			var docs []bson.M
			cur, err := awards.Find(ctx, f, sorted.SetLimit(51))
			if err != nil {
				return err
			}
			if err := cur.All(ctx, &docs); err != nil {
				return err
			}
			if _, err := awards.CountDocuments(ctx, f); err != nil {
				return err
			}
			ids := bson.A{}
			for _, d := range docs {
				if m, ok := d["movementId"].(bson.ObjectID); ok {
					ids = append(ids, m)
				}
			}
			cur, err = movements.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
			if err != nil {
				return err
			}
			return cur.All(ctx, &docs)
		}},
		{"search", "Find 21 by folded-name regex + CountDocuments", false, func(ctx context.Context, r *rand.Rand) error {
			q := searches[r.IntN(len(searches))]
			f := bson.D{{Key: "$and", Value: bson.A{bson.D{{Key: "recipient.nameKey", Value: bson.Regex{Pattern: regexp.QuoteMeta(q)}}}, published}}}
			var docs []bson.M
			cur, err := awards.Find(ctx, f, sorted.SetLimit(21))
			if err != nil {
				return err
			}
			if err := cur.All(ctx, &docs); err != nil {
				return err
			}
			_, err = awards.CountDocuments(ctx, f)
			return err
		}},
		{"review", "FindOne review + Find reports + movements by $in", false, func(ctx context.Context, r *rand.Rand) error {
			id, _ := bson.ObjectIDFromHex(ds.reviewID)
			var rev bson.M
			if err := reviews.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&rev); err != nil {
				return err
			}
			var docs []bson.M
			cur, err := reports.Find(ctx, bson.D{{Key: "reviewId", Value: bson.D{{Key: "$in", Value: bson.A{id}}}}})
			if err != nil {
				return err
			}
			if err := cur.All(ctx, &docs); err != nil {
				return err
			}
			cur, err = movements.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: rev["movementIds"]}}}})
			if err != nil {
				return err
			}
			return cur.All(ctx, &docs)
		}},
	}
}

// run drives op with conc workers for d and returns the latencies of the
// successes and the count of failures.
func run(ctx context.Context, op operation, conc int, d time.Duration) (lat []time.Duration, failures int, elapsed time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, d+requestTimeout)
	defer cancel()
	type result struct {
		lat  []time.Duration
		fail int
	}
	results := make(chan result, conc)
	start := time.Now()
	deadline := start.Add(d)
	for w := 0; w < conc; w++ {
		go func(w int) {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			var res result
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if err := op.do(ctx, r); err != nil {
					res.fail++
				} else {
					res.lat = append(res.lat, time.Since(t0))
				}
			}
			results <- res
		}(w)
	}
	for w := 0; w < conc; w++ {
		res := <-results
		lat = append(lat, res.lat...)
		failures += res.fail
	}
	return lat, failures, time.Since(start)
}

// requestTimeout bounds one request; slower ones count as failures.
const requestTimeout = 30 * time.Second

func randFor(i int) *rand.Rand { return rand.New(rand.NewPCG(uint64(i), 99)) }
