// The query page of `kg serve`: YASGUI (vendored under /static/yasgui/, no CDN) set up for this
// graph: our competency questions as examples, the query kept in the address, prefix completion
// from our namespaces (GET /prefixes), labels beside the IRIs of a result table (GET /labels,
// the server's one label lookup) and IRIs of our namespace linked to their pages on this server.
"use strict";
(function () {
  const BASE = "https://w3id.org/defence-kg/";
  const DEFAULT_QUERY = "PREFIX dkg: <https://w3id.org/defence-kg/ontology#>\n" +
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" +
    "SELECT ?state ?label WHERE {\n  ?state a dkg:State ; rdfs:label ?label .\n} ORDER BY ?label\n";
  const $ = (id) => document.getElementById(id);
  const named = {};
  const labelCache = new Map();   // IRI -> label, or null for one without a label
  let prefixes = {};
  let yasgui = null;

  function localHref(iri) {
    return iri.startsWith(BASE) ? "/" + iri.slice(BASE.length) : iri;
  }

  // The query with a PREFIX line for every one of our prefixes it uses and does not declare,
  // and, for a question that takes parameters, a trailing VALUES block with the example value.
  function portable(text, params) {
    const declared = new Set();
    for (const m of text.matchAll(/^\s*PREFIX\s+([A-Za-z][\w.-]*)?:/gim)) declared.add(m[1] || "");
    const bare = text.replace(/<[^<>\s]*>/g, " ").replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, " ")
      .replace(/#[^\n]*/g, " ");
    const used = new Set();
    for (const m of bare.matchAll(/(?<![\w?$:\/.-])([a-z][\w-]*):/g)) {
      if (m[1] in prefixes && !declared.has(m[1])) used.add(m[1]);
    }
    let lines = text.split("\n");
    if (used.size) {
      let at = lines.findIndex((l) => l.trim() && !l.trim().startsWith("#"));
      if (at < 0) at = lines.length;
      const add = [...used].sort().map((p) => `PREFIX ${p}: <${prefixes[p]}>`);
      lines = [...lines.slice(0, at), ...add, ...lines.slice(at)];
    }
    let out = lines.join("\n").replace(/\s*$/, "\n");
    for (const [name, value] of Object.entries(params || {})) {
      out += `# The question's parameter ?${name}, set to its example; change it to ask about another.\n` +
             `VALUES ?${name} { ${value} }\n`;
    }
    return out;
  }

  function keepInAddress(query) {
    const url = new URL(location.href);
    url.search = "";
    url.searchParams.set("query", query);
    history.replaceState(null, "", url.pathname + url.search);
  }

  // Labels beside IRIs, and links to our pages, in every result table YASR draws (each page of it).
  function labelTables(root) {
    const anchors = [...root.querySelectorAll(".yasr a.iri:not([data-kg])")].filter((a) => !a.closest("sup"));
    const wanted = new Set();
    for (const a of anchors) {
      const iri = a.getAttribute("href");
      a.dataset.kg = iri;
      a.setAttribute("href", localHref(iri));
      a.removeAttribute("target");
      a.title = iri;
      if (!labelCache.has(iri)) wanted.add(iri);
    }
    if (!anchors.length) return;
    fetchLabels([...wanted]).then(() => {
      for (const a of anchors) {
        const label = labelCache.get(a.dataset.kg);
        if (!label || !a.isConnected || (a.nextSibling && a.nextSibling.className === "kg-label")) continue;
        const span = document.createElement("span");
        span.className = "kg-label";
        span.textContent = label;
        a.after(span);
      }
    });
  }

  async function fetchLabels(iris) {
    for (let i = 0; i < iris.length; i += 100) {
      const chunk = iris.slice(i, i + 100);
      const qs = chunk.map((iri) => "iri=" + encodeURIComponent(iri)).join("&");
      try {
        const res = await fetch("/labels?" + qs, {headers: {Accept: "application/json"}});
        const found = res.ok ? await res.json() : {};
        for (const iri of chunk) labelCache.set(iri, found[iri] || null);
      } catch (e) {
        for (const iri of chunk) labelCache.set(iri, null);
      }
    }
  }

  function pick() {
    const q = named[$("examples").value];
    $("question").textContent = q ? q.question : "";
    if (!q) return;
    const tab = yasgui.getTab();
    tab.setQuery(portable(q.text, q.params));
    keepInAddress(tab.getQuery());
  }

  async function start() {
    try {
      prefixes = await (await fetch("/prefixes")).json();
    } catch (e) {
      $("kg-error").textContent = "could not load the prefixes: " + e;
    }
    const Yasqe = Yasgui.Yasqe;
    // Complete PREFIX lines from our namespaces only: the stock completers ask prefix.cc and LOV.
    Yasqe.forkAutocompleter("prefixes", {
      name: "kgPrefixes", persistenceId: null,
      get: () => Object.keys(prefixes).sort().map((p) => `${p}: <${prefixes[p]}>`),
    });
    Yasqe.defaults.autocompleters = ["kgPrefixes", "variables"];
    Yasgui.Yasr.defaults.prefixes = prefixes;
    const endpoint = location.origin + "/sparql";
    $("endpoint").textContent = endpoint;
    const want = new URLSearchParams(location.search);
    yasgui = new Yasgui($("yasgui"), {
      requestConfig: {endpoint: endpoint, method: "POST"},
      copyEndpointOnNewTab: true,
      persistenceId: null,      // the address, not the browser's storage, holds the query
      populateFromUrl: false,
      autofocus: false,
      yasqe: {autocompleters: ["kgPrefixes", "variables"], value: want.get("query") || DEFAULT_QUERY},
      yasr: {prefixes: prefixes},
    });
    const tab = yasgui.getTab();
    if (want.get("query")) tab.setQuery(want.get("query"));
    else if (!tab.getQuery().trim()) tab.setQuery(DEFAULT_QUERY);
    tab.getYasqe().on("change", (y) => keepInAddress(y.getValue()));
    new MutationObserver(() => labelTables(document)).observe($("yasgui"), {childList: true, subtree: true});

    try {
      const list = await (await fetch("/queries", {headers: {Accept: "application/json"}})).json();
      for (const q of list) {
        named[q.name] = q;
        const opt = document.createElement("option");
        opt.value = q.name;
        opt.textContent = q.name + (q.question ? " — " + q.question : "");
        $("examples").appendChild(opt);
      }
    } catch (e) {
      $("kg-error").textContent = "could not load the competency questions: " + e;
    }
    $("examples").addEventListener("change", pick);
    // /?example=NAME picks a question (a link to share); &run=1 also runs it.
    if (want.get("example") && named[want.get("example")]) {
      $("examples").value = want.get("example");
      pick();
      if (want.get("run")) tab.getYasqe().query();
    }
    document.body.dataset.ready = "1";
  }
  start();
})();
