package mpapi

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// Spec is miniprogram-api/openapi.yaml, the contract of every endpoint.
//
//go:embed openapi.yaml
var Spec []byte

var (
	specOnce sync.Once
	specErr  error
	docsHTML []byte
)

// loadSpec parses and validates the spec once and renders the docs page from it (static
// HTML, no script, no CDN).
func loadSpec() error {
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(Spec)
		if err != nil {
			specErr = fmt.Errorf("mpapi: load openapi.yaml: %w", err)
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			specErr = fmt.Errorf("mpapi: invalid openapi.yaml: %w", err)
			return
		}
		docsHTML, specErr = renderDocs(doc)
	})
	return specErr
}

type docOp struct {
	Method, Path, Summary, Description string
	Auth                               string
	Params                             []string
	Request                            string
	Responses                          []string
}

var docsTmpl = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem}section{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.75rem 1rem}
.m{display:inline-block;min-width:4.5rem;font-weight:bold;font-family:monospace}.p{font-family:monospace}
.GET{color:#0a7}.POST{color:#07c}.PATCH{color:#c70}small{color:#666}code{background:#f4f4f4;padding:0 .2rem}
ul{margin:.3rem 0}
</style></head><body>
<h1>{{.Title}} <small>v{{.Version}}</small></h1>
<p>{{.Description}}</p>
<p>机器可读的规范：<a href="openapi.yaml">openapi.yaml</a></p>
{{range .Ops}}<section id="{{.Method}}{{.Path}}">
<div><span class="m {{.Method}}">{{.Method}}</span><span class="p">/api/v1{{.Path}}</span> <small>{{.Auth}}</small></div>
<p><b>{{.Summary}}</b>{{if .Description}}<br>{{.Description}}{{end}}</p>
{{if .Params}}<div>参数：<ul>{{range .Params}}<li><code>{{.}}</code></li>{{end}}</ul></div>{{end}}
{{if .Request}}<div>请求体：<code>{{.Request}}</code></div>{{end}}
<div>响应：<ul>{{range .Responses}}<li>{{.}}</li>{{end}}</ul></div>
</section>{{end}}
</body></html>`))

func renderDocs(doc *openapi3.T) ([]byte, error) {
	var ops []docOp
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			d := docOp{Method: method, Path: path, Summary: op.Summary, Description: op.Description, Auth: "需要登录（Bearer）"}
			if op.Security != nil && len(*op.Security) == 0 {
				d.Auth = "无需登录"
			}
			for _, p := range append(item.Parameters, op.Parameters...) {
				if p.Value != nil {
					d.Params = append(d.Params, fmt.Sprintf("%s (%s) %s", p.Value.Name, p.Value.In, p.Value.Description))
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				var types []string
				for ct, mt := range op.RequestBody.Value.Content {
					name := ct
					if mt.Schema != nil && mt.Schema.Ref != "" {
						name += " " + mt.Schema.Ref[strings.LastIndex(mt.Schema.Ref, "/")+1:]
					}
					types = append(types, name)
				}
				sort.Strings(types)
				d.Request = strings.Join(types, ", ")
			}
			for code, r := range op.Responses.Map() {
				desc := ""
				if r.Value != nil && r.Value.Description != nil {
					desc = *r.Value.Description
				}
				d.Responses = append(d.Responses, code+" "+desc)
			}
			sort.Strings(d.Responses)
			ops = append(ops, d)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	var buf bytes.Buffer
	err := docsTmpl.Execute(&buf, map[string]any{"Title": doc.Info.Title, "Version": doc.Info.Version,
		"Description": doc.Info.Description, "Ops": ops})
	return buf.Bytes(), err
}

func (a *API) openAPISpec(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", Spec)
}

func (a *API) docsPage(c *gin.Context) {
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", docsHTML)
}
