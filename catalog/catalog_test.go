package catalog_test

import (
	"testing"

	"github.com/thidua/thidua/catalog"
	"github.com/thidua/thidua/domain"
)

// Names read from the catalogue, or the id of a record it no longer holds.
func TestNames(t *testing.T) {
	snap := catalog.NewSnapshot([]domain.Province{{ID: "lang-son", Name: "Lạng Sơn"}},
		[]domain.AwardType{{ID: "bang-khen", Name: "Bằng khen"}}, nil, nil)
	if got := snap.ProvinceName("lang-son"); got != "Lạng Sơn" {
		t.Errorf("ProvinceName = %q", got)
	}
	if got := snap.AwardTypeName("bang-khen"); got != "Bằng khen" {
		t.Errorf("AwardTypeName = %q", got)
	}
	if snap.ProvinceName("ha-tay") != "ha-tay" || snap.AwardTypeName("gone") != "gone" {
		t.Error("an id the catalogue does not hold is not read as itself")
	}
}
