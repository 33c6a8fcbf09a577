// Renders the OpenAPI document of GET /docs/json: every route with its summary, parameters and
// body fields. Plain DOM (no inline script or style), so it runs under the page's strict CSP.
const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function typeOf(s) {
  if (!s) return "";
  if (s.enum) return s.enum.join(" | ");
  let t = s.type ?? "";
  if (s.pattern) t += ` /${s.pattern}/`;
  if (s.minimum !== undefined) t += ` ≥ ${s.minimum}`;
  if (s.exclusiveMinimum !== undefined) t += ` > ${s.exclusiveMinimum}`;
  if (s.maximum !== undefined) t += ` ≤ ${s.maximum}`;
  if (s.maxLength !== undefined) t += ` (≤ ${s.maxLength} chars)`;
  return t;
}

function fields(rows) {
  const table = el("table");
  const head = table.createTHead().insertRow();
  for (const h of ["name", "in", "type", "required"]) head.appendChild(el("th", h));
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    tr.insertCell().appendChild(el("code", r.name));
    tr.insertCell().textContent = r.in;
    tr.insertCell().textContent = typeOf(r.schema);
    tr.insertCell().textContent = r.required ? "yes" : "";
  }
  return table;
}

async function main() {
  const res = await fetch("/docs/json", { headers: { "x-tickwire": "1" } });
  if (!res.ok) {
    $("docs-intro").textContent = `Could not load the API document (${res.status}).`;
    return;
  }
  const doc = await res.json();
  $("docs-intro").textContent = doc.info?.description ?? "";
  const out = $("docs-routes");
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      const sec = el("section", undefined, "panel route");
      sec.dataset.route = `${method.toUpperCase()} ${path}`;
      const h = el("h2");
      h.appendChild(el("span", method.toUpperCase(), `method ${method}`));
      h.appendChild(document.createTextNode(" "));
      h.appendChild(el("code", path));
      sec.appendChild(h);
      if (op.summary) sec.appendChild(el("p", op.summary));
      if (op.description) sec.appendChild(el("p", op.description, "muted"));
      const rows = (op.parameters ?? []).map((p) => ({ name: p.name, in: p.in, schema: p.schema, required: p.required }));
      const body = op.requestBody?.content?.["application/json"]?.schema;
      if (body?.properties) {
        const req = new Set(body.required ?? []);
        for (const [name, schema] of Object.entries(body.properties)) rows.push({ name, in: "body", schema, required: req.has(name) });
      }
      if (rows.length > 0) sec.appendChild(fields(rows));
      out.appendChild(sec);
    }
  }
  document.body.dataset.loaded = "true";
}

main().catch((e) => {
  $("docs-intro").textContent = `Could not load the API document: ${e.message}`;
});
