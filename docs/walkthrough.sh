#!/bin/sh
# The README's front-end quick start, end to end: each step's id is taken from
# the answer of the step before. Run it beside a fresh `go run .`:
#   sh docs/walkthrough.sh            (API=http://host:port/graphql to aim elsewhere)
# TestReadmeExamples runs it and checks that the README shows these very steps.
set -eu

# Step 1
API=${API:-http://127.0.0.1:8080/graphql}
TOKEN=$(go run . token -sub u-17 -name "Hoàng Thị Mai" -role lang-son=editor -role '*=viewer' -ttl 8h)

# Step 2
curl -s -w '\n' "$API" -H 'Content-Type: application/json' \
  -d '{"query":"{ provinces(activeOn: \"2026-01-01\") { id name predecessors { name } } }"}'

# Step 3
AWARD=$(curl -s -w '\n' "$API" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" -d '{
  "query": "mutation($in: AwardInput!) { createAward(input: $in) { id version status } }",
  "variables": {"in": {"provinceId": "lang-son", "awardTypeId": "huan-chuong-lao-dong", "class": "THIRD",
    "authority": "PRESIDENT", "year": 2022, "status": "PROPOSED",
    "recipient": {"kind": "INDIVIDUAL", "name": "Nguyễn Văn An", "position": "Chủ tịch", "organization": "UBND xã Tân Thanh"}}}}' |
  sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
echo "award $AWARD"

# Step 4
curl -s -w '\n' "$API" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" -d '{
  "query": "mutation($id: ID!, $in: AwardInput!) { updateAward(id: $id, expectedVersion: 1, input: $in) { version status legalBasis } }",
  "variables": {"id": "'"$AWARD"'", "in": {"provinceId": "lang-son", "awardTypeId": "huan-chuong-lao-dong", "class": "THIRD",
    "authority": "PRESIDENT", "year": 2022, "status": "CONFERRED", "decision": {"number": "1234/QĐ-CTN", "date": "2022-09-01"},
    "recipient": {"kind": "INDIVIDUAL", "name": "Nguyễn Văn An", "position": "Chủ tịch", "organization": "UBND xã Tân Thanh"}}}}'

# Step 5
curl -s -w '\n' "$API" -H 'Content-Type: application/json' \
  -d '{"query":"{ awards(filter: { search: \"nguyen van an\" }, first: 20) { totalCount pageInfo { hasNextPage endCursor } edges { node { id status recipient { name } legalBasis } } } }"}'

# Step 6
DOSSIER=$(curl -s -w '\n' "$API" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" -d '{
  "query": "mutation($in: DossierInput!) { createDossier(input: $in) { id status } }",
  "variables": {"in": {"provinceId": "lang-son", "kind": "REGULAR", "authority": "PROVINCE_CHAIR", "year": 2025,
    "title": "Đề nghị tặng danh hiệu Tập thể lao động xuất sắc năm 2025", "proposingUnit": "Sở Nội vụ tỉnh Lạng Sơn",
    "letter": {"number": "125/TTr-SNV", "date": "2026-11-02"},
    "recipients": [{"recipient": {"kind": "COLLECTIVE", "name": "Phòng Tổ chức cán bộ"},
      "awardTypeId": "tap-the-lao-dong-xuat-sac", "achievement": "Dẫn đầu phong trào thi đua"}]}}}' |
  sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
printf '%%PDF-1.4\n%%%%EOF\n' > to-trinh.pdf
curl -s -w '\n' "$API" -H "Authorization: Bearer $TOKEN" \
  -F operations='{"query":"mutation($f: Upload!) { attachFile(recordId: \"'"$DOSSIER"'\", file: $f) { id name contentType url } }","variables":{"f":null}}' \
  -F map='{"0":["variables.f"]}' -F 0=@to-trinh.pdf
