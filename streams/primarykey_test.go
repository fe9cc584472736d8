package streams

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A composite primary key (agent_metrics: a transfer adds a row per agent
// to the same session) is one entry per field in the catalog, and every
// part names the record in a warning.
func TestCompositePrimaryKey(t *testing.T) {
	type row struct {
		SessionID string `json:"sessionId"`
		AgentID   string `json:"agentId"`
	}
	s := Declare[row](Def{Name: "composite", Path: "/x", PrimaryKey: []string{"sessionId", "agentId"}})
	if diff := cmp.Diff([][]string{{"sessionId"}, {"agentId"}}, s.Catalog().SourceDefinedPrimaryKey); diff != "" {
		t.Errorf("catalog primary key (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		data, want string
	}{
		{`{"sessionId":"S1","agentId":"A1"}`, `sessionId "S1", agentId "A1"`},
		{`{"sessionId":"S1"}`, "a record with no agentId"},
		{`{"agentId":"A1","sessionId":null}`, `sessionId null, agentId "A1"`},
	} {
		if diff := cmp.Diff(tc.want, s.recordID([]byte(tc.data))); diff != "" {
			t.Errorf("recordID(%s) (-want +got):\n%s", tc.data, diff)
		}
	}
}

// Only a top-level string may be a nullable primary-key part: it is
// written as "" when null or missing, which no other type can mean.
func TestNullableKeyPartMustBeAString(t *testing.T) {
	type row struct {
		SessionID string `json:"sessionId"`
		Seq       *int   `json:"seq"`
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `primary key "seq" is nullable`) {
			t.Errorf("recovered %v, want the nullable key refused", r)
		}
	}()
	Declare[row](Def{Name: "nullable-int-key", Path: "/x", PrimaryKey: []string{"sessionId", "seq"}})
}
