package schemagen

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type inner struct {
	A *string `json:"a"`
}

type embedded struct {
	E *int `json:"e"`
}

type record struct {
	embedded
	ID     string            `json:"id"`
	Name   *string           `json:"name" jsonschema:"description=Shown to users."`
	Tags   []string          `json:"tags"`
	Nested *inner            `json:"nested"`
	List   []inner           `json:"list"`
	Free   map[string]string `json:"free"`
	Secret string            `json:"secret" jsonschema:"required" jsonschema_extras:"airbyte_secret=true,order=3"`
	Hidden string            `json:"-"`
}

func TestGenerate(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"record schema: open objects, nullable type lists, no refs", Options{Nullable: true}, `{
		  "$schema": "http://json-schema.org/draft-07/schema#",
		  "type": "object", "additionalProperties": true, "required": ["secret"],
		  "properties": {
		    "e": {"type": ["integer", "null"]},
		    "id": {"type": "string"},
		    "name": {"type": ["string", "null"], "description": "Shown to users."},
		    "tags": {"type": ["array", "null"], "items": {"type": "string"}},
		    "nested": {"type": ["object", "null"], "additionalProperties": true, "properties": {"a": {"type": ["string", "null"]}}},
		    "list": {"type": ["array", "null"], "items": {"type": "object", "additionalProperties": true, "properties": {"a": {"type": ["string", "null"]}}}},
		    "free": {"type": ["object", "null"], "additionalProperties": true},
		    "secret": {"type": "string", "airbyte_secret": true, "order": 3}
		  }}`},
		{"spec schema: optional is just not required, titled", Options{Title: "T"}, `{
		  "$schema": "http://json-schema.org/draft-07/schema#", "title": "T",
		  "type": "object", "additionalProperties": true, "required": ["secret"],
		  "properties": {
		    "e": {"type": "integer"},
		    "id": {"type": "string"},
		    "name": {"type": "string", "description": "Shown to users."},
		    "tags": {"type": "array", "items": {"type": "string"}},
		    "nested": {"type": "object", "additionalProperties": true, "properties": {"a": {"type": "string"}}},
		    "list": {"type": "array", "items": {"type": "object", "additionalProperties": true, "properties": {"a": {"type": "string"}}}},
		    "free": {"type": "object", "additionalProperties": true},
		    "secret": {"type": "string", "airbyte_secret": true, "order": 3}
		  }}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, want any
			if err := json.Unmarshal(Generate(&record{}, tt.opts), &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("schema (-want +got):\n%s", diff)
			}
		})
	}
}
