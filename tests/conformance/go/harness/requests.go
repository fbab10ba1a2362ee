// SPDX-License-Identifier: Apache-2.0
//
// Building pluginv2 requests as Grafana sends them, and reading answers.

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"errortriage/pluginv2"
)

type datasource struct {
	uid      string
	jsonData string
	secrets  map[string]string
	updated  int64
}

func prometheusDatasource(uid, url string) datasource {
	return datasource{uid: uid, updated: 1, jsonData: fmt.Sprintf(
		`{"prometheusUrl":%q,"metricsSchema":"otel","timeoutSeconds":60}`, url),
		secrets: map[string]string{"prometheusToken": "s3cr3t-token-never-logged"}}
}

func (d datasource) context() *pluginv2.PluginContext {
	return &pluginv2.PluginContext{
		OrgId:    1,
		PluginId: "errortriage-otel-datasource",
		DataSourceInstanceSettings: &pluginv2.DataSourceInstanceSettings{
			Id: 1, Uid: d.uid, Name: "Error Triage " + d.uid, JsonData: []byte(d.jsonData),
			DecryptedSecureJsonData: d.secrets, LastUpdatedMS: d.updated,
		},
		User: &pluginv2.User{Login: "admin", Role: "Admin"},
	}
}

func query(refID, queryType, model string) *pluginv2.DataQuery {
	now := time.Now()
	return &pluginv2.DataQuery{
		RefId: refID, QueryType: queryType, Json: []byte(model), MaxDataPoints: 1000,
		IntervalMS: 15000,
		TimeRange: &pluginv2.TimeRange{FromEpochMS: now.Add(-time.Hour).UnixNano() / 1e6,
			ToEpochMS: now.UnixNano() / 1e6},
	}
}

func queryRequest(ds datasource, format pluginv2.DataFrameFormat, qs ...*pluginv2.DataQuery) *pluginv2.QueryDataRequest {
	return &pluginv2.QueryDataRequest{PluginContext: ds.context(), Queries: qs, Format: format,
		Headers: map[string]string{"X-Grafana-Org-Id": "1"}}
}

// answer returns the DataResponse of refID or fails.
func answer(resp *pluginv2.QueryDataResponse, refID string) *pluginv2.DataResponse {
	dr, ok := resp.Responses[refID]
	check(ok, "no DataResponse for refId %s (got %d responses)", refID, len(resp.Responses))
	return dr
}

func expectFrames(dr *pluginv2.DataResponse, refID string, format pluginv2.DataFrameFormat) {
	check(dr.Error == "", "refId %s: unexpected error %q (status %d)", refID, dr.Error, dr.Status)
	check(dr.Status == 200, "refId %s: status %d, want 200", refID, dr.Status)
	check(len(dr.Frames) > 0, "refId %s: no frames", refID)
	check(dr.Format == format, "refId %s: DataResponse.format %v, want %v", refID, dr.Format, format)
	for i, f := range dr.Frames {
		if format == pluginv2.DataFrameFormat_ARROW {
			check(len(f) > 12 && string(f[:6]) == "ARROW1" && string(f[len(f)-6:]) == "ARROW1",
				"refId %s frame %d is not an Arrow IPC file (%d bytes)", refID, i, len(f))
		} else {
			var v map[string]interface{}
			check(json.Unmarshal(f, &v) == nil, "refId %s frame %d is not JSON: %.200s", refID, i, f)
			_, hasSchema := v["schema"]
			check(hasSchema, "refId %s frame %d has no schema: %.200s", refID, i, f)
		}
	}
}

func expectQueryError(dr *pluginv2.DataResponse, refID string, status int32, mentions string) {
	check(dr.Status == status, "refId %s: status %d, want %d (error %q)", refID, dr.Status, status, dr.Error)
	check(dr.Error != "", "refId %s: status %d without an error message", refID, dr.Status)
	check(len(dr.Frames) == 0, "refId %s: frames next to an error", refID)
	if mentions != "" {
		check(containsFold(dr.Error, mentions), "refId %s: error %q does not mention %q", refID, dr.Error, mentions)
	}
	check(dr.ErrorSource == "plugin" || dr.ErrorSource == "downstream", "refId %s: errorSource %q", refID, dr.ErrorSource)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
