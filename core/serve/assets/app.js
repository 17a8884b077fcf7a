/* The workbench page of `quarry serve`: one page, five views behind hash
 * routes (#/review, #/browse, #/codebook, #/charts, #/runs), talking to
 * the server's JSON API only (see core/serve/API.md). Plain DOM, no
 * framework, no build step, nothing fetched from anywhere but the server.
 * Text from the project is always put in the page as text (textContent),
 * never as markup, so an excerpt full of tags shows as it was typed. */
"use strict";
(function () {
  /* ---------- the token: read once from the address, then hidden ----------
   * It is kept for this tab's life (sessionStorage), so a reload (F5) can
   * still write: the address no longer shows it, and the cookie alone
   * only reads. */
  var params = new URLSearchParams(window.location.search);
  var TOKEN = params.get("token") || "";
  try {
    if (TOKEN) sessionStorage.setItem("quarry.token", TOKEN);
    else TOKEN = sessionStorage.getItem("quarry.token") || "";
  } catch (e) { /* storage off: the address's token only */ }
  if (params.has("token"))
    window.history.replaceState(null, "", window.location.pathname + window.location.hash);

  var $ = function (id) { return document.getElementById(id); };
  var main = $("main");

  /* h("div", {class: "x", onclick: f}, child, "text", ...) */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
        else if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (k === "value") el.value = v;
        else if (v === true) el.setAttribute(k, "");
        else el.setAttribute(k, String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { append(el, x); }); return; }
    el.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

  /* ---------- talking to the server ---------- */
  function ApiError(status, message) { this.status = status; this.message = message; }

  function api(method, path, body) {
    var opts = { method: method, headers: { "X-Quarry-Token": TOKEN }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(answerOf(path), function () {
      throw new ApiError(0, "the server does not answer: is quarry serve still running?");
    });
  }
  /* A file's bytes as the body (POST /api/import). */
  function sendFile(path, file) {
    return fetch(path, { method: "POST", credentials: "same-origin", body: file,
      headers: { "X-Quarry-Token": TOKEN, "Content-Type": "application/octet-stream" } }).then(answerOf(path), function () {
      throw new ApiError(0, "the server does not answer: is quarry serve still running?");
    });
  }
  function answerOf(path) {
    return function (r) {
      return r.text().then(function (t) {
        var data = null;
        try { data = t ? JSON.parse(t) : null; } catch (e) { data = null; }
        if (!r.ok) {
          var msg = data && data.error ? data.error : (t && t.length < 300 && t.indexOf("<") < 0 ? t : "");
          /* A tab opened without the printed address can read (the
           * cookie) but not write: say what to do, not which header. */
          if (r.status === 403 && !TOKEN)
            msg = "this tab cannot make changes: open the address quarry serve printed (the one with ?token=) to code here";
          if (!msg) msg = r.status === 403 ? "the server refused the request (is this the address quarry serve printed?)"
            : r.status === 404 ? "the server has no " + path.split("?")[0] + " (not built into this quarry yet)"
            : "the server answered " + r.status + " " + r.statusText;
          throw new ApiError(r.status, msg);
        }
        return data;
      });
    };
  }
  function post(path, body) {
    body = body || {};
    if (state.coder && body.coder === undefined) body.coder = state.coder;
    return api("POST", path, body);
  }
  function qs(obj) {
    var p = new URLSearchParams();
    Object.keys(obj).forEach(function (k) {
      if (obj[k] !== "" && obj[k] !== null && obj[k] !== undefined) p.set(k, obj[k]);
    });
    var s = p.toString();
    return s ? "?" + s : "";
  }
  function errorBox(err, what) {
    var msg = err && err.message ? err.message : String(err);
    return h("div", { class: "error-box", role: "alert", "data-status": err && err.status !== undefined ? err.status : null },
      what ? what + ": " : "", msg);
  }

  /* ---------- status line (aria-live) ---------- */
  var statusTimer = null;
  function say(msg, isError) {
    var s = $("status");
    s.textContent = msg;
    s.className = "status show" + (isError ? " error" : "");
    clearTimeout(statusTimer);
    statusTimer = setTimeout(function () { s.className = "status" + (isError ? " error" : ""); }, isError ? 6000 : 2600);
  }

  /* ---------- state ---------- */
  var state = {
    status: null,
    coder: null,
    codebook: null,          /* [{id, name, ...}] */
    order: localStorage.getItem("quarry.order") || "source",
    speakers: localStorage.getItem("quarry.speakers") || "participants",
    item: null,
    progress: null,
    history: [],             /* excerpt ids seen in this session */
    pos: -1,
    skip: [],
    prefix: null,            /* "r", "x" or "g" while waiting for the second key */
    busy: false,
    settleCodes: null,
    /* Browse's filters, kept for the tab's life (a reload keeps them). */
    browse: (function () {
      var f = { code: "", source: "", participant: "", study: "", coder: "", speaker: "", q: "", offset: 0 };
      try {
        var kept = JSON.parse(sessionStorage.getItem("quarry.browse") || "{}");
        Object.keys(f).forEach(function (k) { if (kept[k] !== undefined && typeof kept[k] === typeof f[k]) f[k] = kept[k]; });
      } catch (e) { /* none kept */ }
      return f;
    })(),
    facets: null
  };

  function codeName(id) {
    if (state.codebook) {
      for (var i = 0; i < state.codebook.length; i++)
        if (state.codebook[i].id === id) return state.codebook[i].name;
    }
    return id;
  }
  function loadCodebook(force) {
    if (state.codebook && !force) return Promise.resolve(state.codebook);
    return api("GET", "/api/codebook").then(function (d) {
      state.codebook = (d && d.codes) || [];
      return state.codebook;
    });
  }
  /* A share as a whole percent; a small one is "<1%", not "0%" (which
     reads as "never"). */
  function pct(x) {
    var v = Number(x) || 0;
    return v > 0 && v < 0.005 ? "<1%" : Math.round(v * 100) + "%";
  }
  /* One decimal, as the command line prints a rate. */
  function pct1(x) { return ((Number(x) || 0) * 100).toFixed(1) + "%"; }
  function when(t) {
    if (!t) return "";
    var d = new Date(t);
    if (isNaN(d.getTime())) return String(t);
    return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function originWord(o) {
    return { "manual": "by hand", "accepted-suggestion": "accepted suggestion", "imported": "imported" }[o] || o || "";
  }

  /* A code's id beside its name, unless it is the name (a code from NVivo
   * has its name as its id: "Peers Peers" says nothing twice). */
  function idUnlessName(id, name, cls) {
    return id && id !== name ? h("span", { class: cls }, id) : null;
  }

  /* ---------- top bar ---------- */
  function refreshStatus() {
    return api("GET", "/api/status").then(function (s) {
      state.status = s;
      $("project-name").textContent = s.project || s.path || "quarry";
      document.title = (s.project || "project") + " · quarry workbench";
      if (s.coder) state.coder = s.coder;
      $("coder-name").textContent = (state.coder || "(nobody yet)") + (s.blind ? " · coding blind" : "");
      if (s.blind) {
        $("coder-name").title = "Blind coding: other coders' codes are hidden on this page, so you code independently. The lead opens the project without --blind to compare and settle.";
        if (state.order === "disagreements") state.order = "source";
      }
      showCounts();
      return s;
    });
  }
  function showCounts() {
    var s = state.status;
    if (!s || !s.counts) return;
    var c = s.counts;
    var text = c.coded + " of " + c.excerpts + " excerpts coded";
    if (state.progress && state.progress.total)
      text += " · " + state.progress.remaining + " to review";
    $("progress-text").textContent = text;
    var p = c.excerpts ? Math.round(100 * c.coded / c.excerpts) : 0;
    $("progress-fill").style.width = p + "%";
    $("progress-meter").setAttribute("aria-valuenow", String(p));
    $("progress-meter").setAttribute("aria-valuetext", text);
  }
  function askCoder(required) {
    var d = $("coder-dialog");
    $("coder-input").value = state.coder || "";
    $("coder-error").textContent = "";
    d.dataset.required = required ? "1" : "";
    d.showModal();
    $("coder-input").focus();
  }
  $("coder-form").addEventListener("submit", function (ev) {
    var name = $("coder-input").value.trim();
    if (!name) { ev.preventDefault(); $("coder-error").textContent = "Please type your name."; return; }
    if (name !== state.coder) {
      /* another coder: their own codes, their own queue */
      state.item = null; state.history = []; state.pos = -1; state.skip = [];
    }
    state.coder = name;
    localStorage.setItem("quarry.coder", name);
    $("coder-name").textContent = name;
    say("Coding as " + name);
    if (currentRoute() === "review") route();
  });
  $("coder-dialog").addEventListener("cancel", function (ev) {
    if ($("coder-dialog").dataset.required) ev.preventDefault();
  });
  $("coder-btn").addEventListener("click", function () {
    if (state.status && state.status.coder) {
      say("This server codes as " + state.status.coder + " (started with --coder)");
      return;
    }
    askCoder(false);
  });
  $("help-btn").addEventListener("click", function () { $("help-dialog").showModal(); });

  /* ---------- routing ---------- */
  function currentRoute() {
    var m = /^#\/(\w+)/.exec(window.location.hash);
    return m ? m[1] : "review";
  }
  function route() {
    var hash = window.location.hash || "#/review";
    var parts = hash.replace(/^#\//, "").split("/");
    var name = parts[0] || "review";
    document.querySelectorAll(".nav a").forEach(function (a) {
      if (a.dataset.route === name) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
    state.prefix = null;
    var views = { review: viewReview, browse: viewBrowse, codebook: viewCodebook, charts: viewCharts, runs: viewRuns, "import": viewImport };
    var v = views[name] || viewReview;
    v(parts.slice(1).map(decodeURIComponent));
    /* A tab clicked keeps the focus, and Enter would open it again: the
     * Review's keys (Enter goes on) go to the page. */
    var at = document.activeElement;
    if (v === viewReview && at && at.closest && at.closest(".nav")) at.blur();
  }
  window.addEventListener("hashchange", route);

  /* =====================================================================
   * Review
   * ===================================================================== */
  function viewReview(args) {
    clear(main);
    var orders = (state.status && state.status.orders) || ["source", "uncertain", "disagreements"];
    var orderLabels = { source: "Source order", uncertain: "Most uncertain first", disagreements: "Disagreements" };
    var orderSel = h("select", { id: "order", onchange: function () {
      /* Keys go back to the queue, not to the menu. */
      orderSel.blur();
      state.order = orderSel.value; localStorage.setItem("quarry.order", state.order);
      state.skip = []; state.history = []; state.pos = -1; nextItem();
    } }, orders.map(function (o) {
      return h("option", { value: o, selected: o === state.order }, orderLabels[o] || o);
    }));
    var spSel = h("select", { id: "speakers", onchange: function () {
      spSel.blur();
      state.speakers = spSel.value; localStorage.setItem("quarry.speakers", state.speakers);
      state.skip = []; state.history = []; state.pos = -1; nextItem();
    } }, [["participants", "Participants"], ["all", "Everyone"], ["interviewers", "Interviewers"]].map(function (o) {
      return h("option", { value: o[0], selected: o[0] === state.speakers }, o[1]);
    }));
    main.appendChild(h("div", { class: "toolbar" },
      h("div", { class: "field" }, h("label", { for: "order" }, "Queue"), orderSel),
      h("div", { class: "field" }, h("label", { for: "speakers" }, "Speakers"), spSel),
      h("div", { class: "spacer" }),
      h("div", { class: "prefix-hint", id: "prefix-hint", "aria-live": "polite" }),
      h("button", { type: "button", onclick: function () { go(-1); }, title: "Previous (←)" }, "← Previous"),
      h("button", { type: "button", onclick: function () { go(1); }, title: "Next (s, Enter, →)" }, "Next →"),
      h("button", { type: "button", onclick: doUndo, title: "Undo (u)" }, "Undo"),
      h("button", { type: "button", onclick: openBatch, title: "Batch accept (b)" }, "Batch accept…")));
    main.appendChild(h("div", { id: "review-body" }, h("p", { class: "loading" }, "Loading the next excerpt…")));
    /* "your codes" need a name: ask first (the dialog comes back here) */
    if (!state.coder) { askCoder(true); return; }
    /* code names for other coders' codes and neighbours come from the
       codebook; without it the ids are shown */
    loadCodebook().catch(function () { return []; }).then(function () {
      if (!reviewBody()) return;
      if (args[0]) openExcerpt(args[0], true);
      else if (state.item && state.pos >= 0) renderItem();
      else nextItem();
    });
  }

  function reviewBody() { return $("review-body"); }

  function showReviewError(err) {
    var body = reviewBody();
    if (!body) { say(err.message, true); return; }
    clear(body).appendChild(errorBox(err, "Could not load the excerpt"));
  }

  /* A server without the disagreements queue (501) still lists the
   * disagreements: the queue is walked from that list instead. */
  function nextFromDisagreements() {
    return api("GET", "/api/disagreements?offset=0&limit=500").then(function (d) {
      var items = (d && d.items) || [];
      var left = items.filter(function (x) { return state.skip.indexOf(x.excerpt) < 0; });
      var progress = { remaining: left.length, skipped: items.length - left.length, total: d.total || items.length };
      if (!left.length) return { progress: progress, item: null };
      return api("GET", "/api/excerpts/" + encodeURIComponent(left[0].excerpt) + qs({ coder: state.coder })).then(function (item) {
        return { progress: progress, item: item };
      });
    });
  }

  function nextItem() {
    var q = qs({ order: state.order, speakers: state.speakers, skip: state.skip.join(","), coder: state.coder });
    return api("GET", "/api/review/next" + q).catch(function (e) {
      if (e.status === 501 && state.order === "disagreements") return nextFromDisagreements();
      throw e;
    }).then(function (d) {
      state.progress = d.progress || null;
      showCounts();
      if (!d.item) { state.item = null; renderDone(); return; }
      state.item = d.item;
      state.settleCodes = null;
      state.history = state.history.slice(0, state.pos + 1);
      state.history.push(d.item.excerpt);
      state.pos = state.history.length - 1;
      renderItem();
    }).catch(showReviewError);
  }

  /* The queue's counts again (a decision can take the excerpt in hand
   * out of it), without moving on. */
  function refreshProgress() {
    if (state.order === "disagreements") return Promise.resolve();
    var q = qs({ order: state.order, speakers: state.speakers, skip: state.skip.join(","), coder: state.coder });
    return api("GET", "/api/review/next" + q).then(function (d) {
      state.progress = d.progress || null;
      showCounts();
    }).catch(function () {});
  }

  function openExcerpt(id, fromRoute) {
    return api("GET", "/api/excerpts/" + encodeURIComponent(id) + qs({ coder: state.coder })).then(function (item) {
      state.item = item;
      state.settleCodes = null;
      if (fromRoute) {
        state.history = state.history.slice(0, state.pos + 1);
        state.history.push(item.excerpt);
        state.pos = state.history.length - 1;
        window.history.replaceState(null, "", "#/review");
      }
      renderItem();
    }).catch(showReviewError);
  }

  function go(dir) {
    if (!reviewBody()) return;
    if (dir < 0) {
      if (state.pos <= 0) {
        /* Before the session's first (after a reload, say): the turn
         * before it in its source. */
        var before = state.item && state.item.before && state.item.before.excerpt;
        if (!before) { say("This is the first excerpt of its source"); return; }
        state.history.unshift(before);
        state.pos = 0;
        openExcerpt(before);
        return;
      }
      state.pos--;
      openExcerpt(state.history[state.pos]);
      return;
    }
    if (state.item && state.skip.indexOf(state.item.excerpt) < 0) state.skip.push(state.item.excerpt);
    if (state.pos >= 0 && state.pos < state.history.length - 1) {
      state.pos++;
      openExcerpt(state.history[state.pos]);
      return;
    }
    nextItem();
  }

  function renderDone() {
    var body = reviewBody();
    if (!body) return;
    var c = state.status && state.status.counts;
    if (c && !c.excerpts) {
      clear(body).appendChild(h("div", { class: "panel done" },
        h("h1", null, "This project has no interviews yet"),
        h("p", { class: "muted" }, "Start by adding transcripts and any material already coded; then ask for suggestions."),
        h("a", { class: "button primary", href: "#/import", id: "start-import" }, "Import interviews")));
      return;
    }
    if (c && !c.runs) {
      clear(body).appendChild(h("div", { class: "panel done" },
        h("h1", null, "No suggestions yet"),
        h("p", { class: "muted" }, "The project has " + countWords(c.excerpts, "excerpt") + ", " + c.coded +
          " of them coded. Ask for suggestions on the Files page (Suggest codes), or code excerpts yourself in Browse."),
        h("a", { class: "button primary", href: "#/import" }, "Go to Files")));
      return;
    }
    if (state.order === "disagreements" && !state.skip.length &&
        !(state.progress && state.progress.total)) {
      /* Nothing to settle: say why, not that everything was decided. */
      clear(body).appendChild(h("div", { class: "panel done" },
        h("h1", null, "No disagreements to settle"),
        h("p", { class: "muted" }, (state.status && state.status.coders && state.status.coders.length > 1)
          ? "No excerpt has codes from two coders that differ (or every such excerpt is settled)."
          : "Disagreements need two coders who coded the same excerpts; this project has codings of one coder so far."),
        h("p", { class: "muted" }, "Another coder's work comes in as a file on ", h("a", { href: "#/import" }, "Files"),
          " (with their name under “Coded by”), or they code in this page under their own name.")));
      return;
    }
    clear(body).appendChild(h("div", { class: "panel done" },
      h("h1", null, "Nothing left to review in this queue"),
      h("p", { class: "muted" }, state.skip.length ? "You skipped " + state.skip.length +
        " excerpt(s) in this session; choose the queue again to see them." :
        "Every excerpt in this queue has a decision. Browse the project or look at the charts."),
      h("p", { class: "muted" }, "New interviews, or new suggestions after your decisions: ",
        h("a", { href: "#/import" }, "Files"), "."),
      state.skip.length ? h("button", { type: "button", class: "primary", onclick: function () {
        state.skip = []; nextItem(); } }, "Start the queue again") : null));
  }

  /* Words of the text whose lower-cased form starts with an evidence term
   * (terms are stems) are marked; a term of several words ("peer support",
   * "do you") marks only where its words stand together, so the "and" of
   * "and i" is not marked wherever it occurs. */
  /* A word stands for a term's word: the same, or for a stem of three
   * letters or more, beginning with it ("support" for "support"). */
  function startsLike(word, stem) {
    return stem.length < 3 ? word === stem : word.indexOf(stem) === 0;
  }

  function highlighted(text, terms, passages) {
    var frag = document.createDocumentFragment();
    var phrases = [];
    (terms || []).forEach(function (t) {
      var ws = String(t.term || t).toLowerCase().split(/[\s_]+/).filter(function (p) { return p.length >= 1; });
      if (ws.length > 1 || (ws.length === 1 && ws[0].length >= 2)) phrases.push({ ws: ws, code: t.code || "" });
    });
    var re = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu, words = [], m, i, j, k;
    while ((m = re.exec(text)) !== null) words.push({ w: m[0].toLowerCase(), at: m.index, end: m.index + m[0].length });
    var marked = words.map(function () { return false; });
    var markedFor = words.map(function () { return []; });
    for (i = 0; i < words.length; i++)
      for (k = 0; k < phrases.length; k++) {
        var ph = phrases[k].ws;
        for (j = 0; j < ph.length && i + j < words.length && startsLike(words[i + j].w, ph[j]); j++);
        if (j === ph.length) for (j = 0; j < ph.length; j++) {
          marked[i + j] = true;
          if (phrases[k].code && markedFor[i + j].indexOf(phrases[k].code) < 0) markedFor[i + j].push(phrases[k].code);
        }
      }
    /* The text is cut where a marked word or a coded passage starts or
     * ends; each piece is the text's own characters, so the element's
     * textContent is the excerpt's text exactly (a selection in it is
     * measured against item.text). Pieces under the same passages share
     * one underlined span. */
    var cuts = {}, marks = [];
    cuts[0] = cuts[text.length] = true;
    words.forEach(function (x, n) { if (marked[n]) { x.codes = markedFor[n]; marks.push(x); cuts[x.at] = cuts[x.end] = true; } });
    passages = passages || [];
    passages.forEach(function (p) { cuts[p.from] = cuts[p.to] = true; });
    var pts = Object.keys(cuts).map(Number).sort(function (a, b) { return a - b; });
    var wrap = null, wrapKey = "";
    for (i = 0; i + 1 < pts.length; i++) {
      var a = pts[i], b = pts[i + 1];
      var over = passages.filter(function (p) { return p.from <= a && a < p.to; });
      var key = over.map(function (p) { return p.code; }).join("\n");
      if (key !== wrapKey) {
        wrapKey = key;
        wrap = key ? h("span", { class: "passage" + (over.length > 1 ? " multi" : ""), "data-codes": key,
          title: (over.length > 1 ? "Your codes: " : "Your code: ") + over.map(function (p) { return p.name; }).join(", ") }) : null;
        if (wrap) frag.appendChild(wrap);
      }
      var piece = text.slice(a, b);
      var inMark = marks.filter(function (x) { return x.at <= a && a < x.end; })[0];
      (wrap || frag).appendChild(inMark ? h("mark", inMark.codes && inMark.codes.length ?
        { title: "A reason for " + inMark.codes.join(", ") } : null, piece) : document.createTextNode(piece));
    }
    return frag;
  }

  /* Passages are code points of the excerpt's text (as the server counts
   * them: "😀" is one); the page's strings count UTF-16 units. */
  function utf16Offsets(text) {
    var offs = [0], at = 0;
    Array.from(text).forEach(function (ch) { at += ch.length; offs.push(at); });
    return offs;
  }
  function codePoints(s) { return Array.from(s).length; }
  /* A passage as a quote: “…”, a long one cut at a word (the whole of it
   * on hover). */
  function quoteOf(text, max) {
    var chars = Array.from(text || "");
    if (chars.length <= max) return "\u201c" + text + "\u201d";
    var cut = chars.slice(0, max).join("");
    var sp = cut.search(/\s\S*$/);
    if (sp > max * 0.6) cut = cut.slice(0, sp);
    return "\u201c" + cut.replace(/[\s,;:.]+$/, "") + "\u2026\u201d";
  }
  function passageQuote(c, cls, max) {
    if (!c || !c.passage) return null;
    return h("q", { class: cls, title: c.passage }, quoteOf(c.passage, max));
  }
  /* This coder's codings of a passage, as UTF-16 offsets into the text. */
  function passagesOf(it) {
    var text = it.text || "", offs = null;
    return (it.codes || []).filter(function (c) {
      return c.span && c.span.length === 2 && c.span[1] > c.span[0];
    }).map(function (c) {
      offs = offs || utf16Offsets(text);
      var last = offs.length - 1;
      return { from: offs[Math.min(Math.max(c.span[0], 0), last)], to: offs[Math.min(c.span[1], last)],
        code: c.code, name: c.name || codeName(c.code) };
    }).filter(function (p) { return p.to > p.from; });
  }

  function renderItem() {
    var body = reviewBody();
    var it = state.item;
    if (!body || !it) return;
    clear(body);
    var sugg = it.suggestions || [];
    /* The words behind the suggestions worth reading: the top one's (none
     * when the engine abstained) and any other at 20% or more; each mark
     * says which code it speaks for. */
    var terms = [];
    sugg.forEach(function (s, i) {
      if (!s.evidence || !s.evidence.terms || it.abstain) return;
      if (i > 0 && !(s.confidence >= 0.2)) return;
      s.evidence.terms.forEach(function (t) {
        terms.push({ term: t.term || t, code: s.name || codeName(s.code) });
      });
    });

    /* left: the excerpt in its context */
    var attrs = it.attributes || {};
    var left = h("section", { class: "panel excerpt-panel", "aria-labelledby": "excerpt-h" },
      h("h2", { id: "excerpt-h", class: "visually-hidden" }, "Excerpt " + it.excerpt),
      h("div", { class: "meta" },
        h("span", null, "Excerpt ", h("b", { class: "mono" }, it.excerpt)),
        it.source ? h("span", null, "Source ", h("b", null, it.source)) : null,
        it.line ? h("span", null, "Line ", h("b", null, it.line)) : null,
        state.progress ? h("span", null, state.progress.remaining + " left",
          state.progress.skipped ? " · " + state.progress.skipped + " skipped" : "") : null),
      Object.keys(attrs).length ? h("div", { class: "chips", "aria-label": "Attributes" },
        Object.keys(attrs).map(function (k) {
          return h("span", { class: "chip" }, h("span", { class: "k" }, k), String(attrs[k]));
        })) : null,
      it.before ? h("p", { class: "turn" }, h("span", { class: "who" }, it.before.speaker || ""), it.before.text) : null,
      h("p", { class: "excerpt", id: "excerpt-text" },
        it.speaker ? h("span", { class: "who" }, it.speaker) : null,
        h("span", { class: "excerpt-body", id: "excerpt-body" }, highlighted(it.text || "", terms, passagesOf(it)))),
      it.after ? h("p", { class: "turn" }, h("span", { class: "who" }, it.after.speaker || ""), it.after.text) : null,
      it.abstain ? h("p", { class: "abstain" }, "Low confidence: quarry is not sure of any suggestion below (the excerpt says little that points to one code). Read them as hints, or add the codes you see with ", h("kbd", null, "a"), ".") : null,
      /* Shown under the words selected in the excerpt (see
       * showPassageButton); mousedown keeps the selection. */
      h("button", { type: "button", id: "passage-btn", class: "primary small passage-btn", hidden: true,
        title: "Code the selected words with a code of your choice (p)",
        onmousedown: function (ev) { ev.preventDefault(); }, onclick: codePassage }, "Code this passage\u2026"));

    var leftCol = h("div", null, left, renderCodings(it), state.order === "disagreements" && disagrees(it) ? renderSettle(it) : null, renderMemos(it));

    /* right: the candidates and the nearest coded excerpts */
    var right = h("div", null, renderCandidates(sugg), renderNeighbours(sugg));
    body.appendChild(h("div", { class: "review-grid" }, leftCol, right));
  }

  function renderCandidates(sugg) {
    var list = h("ol", { class: "cand", "aria-label": "Suggested codes" });
    sugg.forEach(function (s, i) {
      var n = i + 1;
      var v = s.verdict;
      var defs = h("dl", { class: "defs" },
        s.definition ? [h("dt", null, "Definition"), h("dd", null, s.definition)] : null,
        s.include ? [h("dt", null, "Include"), h("dd", null, s.include)] : null,
        s.exclude ? [h("dt", null, "Exclude"), h("dd", null, s.exclude)] : null);
      var termsText = s.evidence && s.evidence.terms && s.evidence.terms.length ?
        h("p", { class: "conf" }, "Evidence: ", s.evidence.terms.map(function (t) { return t.term; }).join(", ")) : null;
      list.appendChild(h("li", { class: v ? "decided-" + v : "" },
        h("div", { class: "cand-head" },
          h("span", { class: "num", "aria-hidden": "true" }, n <= 9 ? n : ""),
          h("div", { class: "cand-name" }, s.name || s.code, idUnlessName(s.code, s.name, "mono"),
            v ? h("span", { class: "verdict " + v }, v === "accept" ? "accepted" : v === "reject" ? "rejected" : v === "replace" ? "replaced" : v) : null)),
        h("div", { class: "cand-row" },
          h("div", { class: "bar", title: "confidence " + pct(s.confidence) },
            h("span", { style: "width:" + Math.max(2, Math.round((Number(s.confidence) || 0) * 100)) + "%" })),
          h("span", { class: "conf" }, pct(s.confidence)),
          h("div", { class: "cand-actions" },
            h("button", { type: "button", class: "small ok", disabled: v === "accept", "aria-label": "Accept " + (s.name || s.code) + " (" + n + ")",
              title: "Accept (" + n + ")", onclick: function () { decide("accept", s.code); } }, "Accept"),
            h("button", { type: "button", class: "small bad", disabled: !!v, "aria-label": "Reject " + (s.name || s.code),
              title: "Reject (Shift+" + n + ")", onclick: function () { decide("reject", s.code); } }, "Reject"),
            h("button", { type: "button", class: "small", disabled: !!v, "aria-label": "Replace " + (s.name || s.code),
              title: "Replace (e)", onclick: function () { openReplace(s); } }, "Replace…"))),
        s.definition ? h("p", { class: "cand-def" }, s.definition) : null,
        (s.definition || s.include || s.exclude || termsText) ?
          h("details", null, h("summary", null, s.include || s.exclude ? "Definition, include, exclude" : "Definition"), defs, termsText) : null));
    });
    return h("section", { class: "panel", "aria-labelledby": "cand-h" },
      h("h2", { id: "cand-h" }, "Suggested codes"),
      sugg.length ? list : h("p", { class: "empty" }, "No suggestions for this excerpt."),
      h("p", { class: "hint" }, h("kbd", null, "1"), "–", h("kbd", null, "9"), " accept · ",
        h("kbd", null, "r"), " ", h("kbd", null, "n"), " reject · ", h("kbd", null, "a"), " add any code · ",
        "select words in the text, then ", h("kbd", null, "p"), " code a passage · ",
        h("button", { type: "button", class: "link", onclick: openAdd }, "Add a code…")));
  }

  function renderNeighbours(sugg) {
    var byExcerpt = {}, items = [];
    sugg.forEach(function (s) {
      ((s.evidence && s.evidence.neighbours) || []).forEach(function (nb) {
        /* A coded passage is its own neighbour, quoted alone. */
        var key = nb.excerpt + (nb.span ? "\u001f" + nb.span.join("-") : "");
        var seen = byExcerpt[key];
        if (!seen) {
          seen = byExcerpt[key] = { excerpt: nb.excerpt, text: nb.text, similarity: nb.similarity, passage: !!nb.span, codes: [] };
          items.push(seen);
        }
        if (seen.codes.indexOf(nb.code) < 0) seen.codes.push(nb.code);
        if ((nb.similarity || 0) > (seen.similarity || 0)) seen.similarity = nb.similarity;
      });
    });
    items.sort(function (a, b) { return (b.similarity || 0) - (a.similarity || 0); });
    items = items.slice(0, 5);
    return h("section", { class: "panel", "aria-labelledby": "nb-h" },
      h("h2", { id: "nb-h" }, "Nearest coded excerpts"),
      items.length ? h("ul", { class: "neighbours" }, items.map(function (nb) {
        return h("li", null,
          h("q", null, nb.text || ""),
          h("span", { class: "nb-meta" }, nb.codes.map(codeName).join(", "), " · ",
            nb.passage ? "a passage of " : "",
            h("a", { href: "#/review/" + encodeURIComponent(nb.excerpt) }, nb.excerpt),
            " · similarity " + (Number(nb.similarity) || 0).toFixed(2)));
      })) : h("p", { class: "empty" }, "No coded neighbours to show."));
  }

  function renderCodings(it) {
    var mine = it.codes || [];
    var list = mine.length ? h("ol", { class: "codings", "aria-label": "Your codes" }, mine.map(function (c, i) {
      /* A coding of a passage: the passage quoted under the code, and
       * lit in the excerpt while the pointer is on the coding. */
      function light(on) {
        document.querySelectorAll("#excerpt-body .passage").forEach(function (el) {
          if (el.getAttribute("data-codes").split("\n").indexOf(c.code) >= 0) el.classList.toggle("lit", on);
        });
      }
      return h("li", { class: c.passage ? "has-passage" : null, "data-code": c.code,
        onmouseenter: c.passage ? function () { light(true); } : null,
        onmouseleave: c.passage ? function () { light(false); } : null },
        h("span", { class: "num", "aria-hidden": "true" }, i < 9 ? i + 1 : ""),
        h("span", { class: "grow" }, h("b", null, c.name || codeName(c.code)), " ", idUnlessName(c.code, c.name || codeName(c.code), "mono muted"),
          h("span", { class: "origin" }, " · " + (c.passage ? "a passage, " : "") + originWord(c.origin) + (c.time ? " · " + when(c.time) : "")),
          passageQuote(c, "passage-quote", 160)),
        h("button", { type: "button", class: "small bad", "aria-label": "Remove " + (c.name || c.code) + " (x " + (i + 1) + ")",
          title: "Remove (x " + (i + 1) + ")", onclick: function () { decide("remove", c.code); } }, "Remove"));
    })) : h("p", { class: "empty" }, "You have not coded this excerpt yet. Select words in its text to code just that passage.");
    var others = (it.others || []).filter(function (o) { return o.codes && o.codes.length; });
    return h("section", { class: "panel", "aria-labelledby": "codes-h" },
      h("h2", { id: "codes-h" }, "Your codes", state.coder ? h("span", { class: "muted", style: "font-weight:400" }, " (" + state.coder + ")") : null),
      list,
      others.length ? h("div", { style: "margin-top:.8rem" }, h("h3", null, "Other coders"),
        others.map(function (o) {
          return h("div", { class: "meta" }, h("b", null, o.coder), h("span", { class: "chips" },
            o.codes.map(function (c) {
              /* the passage they coded, if they marked one */
              var p = (o.passages || []).filter(function (x) { return x.code === c; })[0];
              var chip = h("span", { class: "chip" }, codeName(c));
              return p && p.passage ? h("span", { class: "chip-coding" }, chip, passageQuote(p, "chip-passage", 90)) : chip;
            })));
        })) : null);
  }

  /* Do the coders of this excerpt (you and the others who coded it)
   * give it different codes? Only then is there something to settle. */
  function disagrees(it) {
    var sets = [];
    var mine = (it.codes || []).map(function (c) { return c.code; });
    if (mine.length) sets.push(mine.slice().sort().join("\n"));
    (it.others || []).forEach(function (o) {
      if (o.codes && o.codes.length) sets.push(o.codes.slice().sort().join("\n"));
    });
    return sets.length >= 2 && sets.some(function (x) { return x !== sets[0]; });
  }
  function renderSettle(it) {
    var union = [];
    var rows = [];
    (it.codes || []).forEach(function (c) { if (union.indexOf(c.code) < 0) union.push(c.code); });
    rows.push({ coder: (state.coder || "you") + " (you)", codes: (it.codes || []).map(function (c) { return c.code; }) });
    (it.others || []).forEach(function (o) {
      rows.push({ coder: o.coder, codes: o.codes || [] });
      (o.codes || []).forEach(function (c) { if (union.indexOf(c) < 0) union.push(c); });
    });
    if (!state.settleCodes) {
      /* start from the codes every coder agrees on */
      state.settleCodes = union.filter(function (c) {
        return rows.every(function (r) { return r.codes.indexOf(c) >= 0; });
      });
    }
    var err = h("p", { class: "form-error", role: "alert" });
    var note = h("textarea", { id: "settle-note", rows: 2, placeholder: "Why these codes (optional)" });
    return h("section", { class: "panel", "aria-labelledby": "settle-h" },
      h("h2", { id: "settle-h" }, "Settle the disagreement"),
      h("table", { class: "settle-table" },
        h("thead", null, h("tr", null, h("th", null, "Coder"), h("th", null, "Codes"))),
        h("tbody", null, rows.map(function (r) {
          return h("tr", null, h("td", null, r.coder), h("td", null, r.codes.map(codeName).join(", ") || "—"));
        }))),
      h("h3", null, "Final codes"),
      h("ul", { class: "settle-codes" }, union.map(function (c) {
        var id = "settle-" + c.replace(/[^\w-]/g, "_");
        return h("li", null, h("input", { type: "checkbox", id: id, checked: state.settleCodes.indexOf(c) >= 0,
          onchange: function (ev) {
            var i = state.settleCodes.indexOf(c);
            if (ev.target.checked && i < 0) state.settleCodes.push(c);
            if (!ev.target.checked && i >= 0) state.settleCodes.splice(i, 1);
          } }), " ", h("label", { for: id }, codeName(c), " ", idUnlessName(c, codeName(c), "mono muted")));
      })),
      h("label", { for: "settle-note" }, "Note"), note, err,
      h("div", { class: "dialog-actions" }, h("button", { type: "button", class: "primary", onclick: function () {
        err.textContent = "";
        post("/api/settle", { excerpt: it.excerpt, codes: state.settleCodes.slice(), note: note.value || undefined })
          .then(function (d) { say("Settled " + it.excerpt); if (d && d.item) { state.item = d.item; state.settleCodes = null; renderItem(); } })
          .catch(function (e) { err.textContent = e.message; });
      } }, "Settle with these codes")));
  }

  function renderMemos(it) {
    var memos = it.memos || [];
    var err = h("p", { class: "form-error", role: "alert" });
    /* A memo not saved yet stays as a draft of its excerpt for this
     * session: moving on and back, or Esc, loses nothing. */
    state.memoDrafts = state.memoDrafts || {};
    var ta = h("textarea", { id: "memo-text", rows: 3, placeholder: "What strikes you about this excerpt?",
      oninput: function () { state.memoDrafts[it.excerpt] = ta.value; } });
    ta.value = state.memoDrafts[it.excerpt] || "";
    var form = h("form", { class: "memo-form", onsubmit: function (ev) {
      ev.preventDefault();
      var text = ta.value.trim();
      if (!text) { err.textContent = "Write something first."; return; }
      err.textContent = "";
      post("/api/memos", { excerpt: it.excerpt, text: text }).then(function () {
        delete state.memoDrafts[it.excerpt];
        say("Memo saved");
        return openExcerpt(it.excerpt);
      }).catch(function (e) { err.textContent = e.message; });
    } }, h("label", { for: "memo-text" }, "New memo ", h("span", { class: "muted", style: "font-weight:400" }, "(m; Ctrl+Enter saves)")), ta, err,
      h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Save memo"),
        ta.value ? h("span", { class: "muted small" }, " a draft, not saved yet") : null));
    ta.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); form.requestSubmit(); }
      if (ev.key === "Escape") { ta.blur(); }
    });
    return h("section", { class: "panel", "aria-labelledby": "memo-h" },
      h("h2", { id: "memo-h" }, "Memos"),
      memos.length ? h("ul", { class: "memos" }, memos.map(function (m) {
        return h("li", null, h("span", { class: "memo-meta" }, (m.coder || "") + " · " + when(m.time)), m.text);
      })) : h("p", { class: "empty" }, "No memos on this excerpt."),
      form);
  }

  /* One decision on the current excerpt; the answer is the excerpt again. */
  function decide(verdict, code, replacement, span) {
    var it = state.item;
    if (!it || state.busy) return Promise.resolve();
    if (!state.coder) { askCoder(true); return Promise.resolve(); }
    state.busy = true;
    var body = { excerpt: it.excerpt, verdict: verdict, code: code };
    if (replacement) body.replacement = replacement;
    /* [start, end): code points of the excerpt's text */
    if (span) body.span = span;
    return post("/api/decisions", body).then(function (d) {
      var words = { accept: "Accepted", reject: "Rejected", replace: "Replaced", add: "Added", remove: "Removed" };
      if (span) {
        say("Coded the passage as " + codeName(code));
        var sel = window.getSelection();
        if (sel) sel.removeAllRanges();
      } else
        say(words[verdict] + " " + codeName(code) + (replacement ? " with " + codeName(replacement) : ""));
      if (d && d.item && d.item.excerpt === it.excerpt) state.item = d.item;
      renderItem();
      refreshStatus().then(refreshProgress).catch(function () {});
    }).catch(function (e) { say(e.message, true); })
      .then(function () { state.busy = false; });
  }

  /* The decision undone, in words: "your acceptance of Fellow PSS
   * networks" (codes by their names, as every other message says them). */
  function undoneWords(w) {
    if (!w || !w.verdict) return "your last decision";
    var code = codeName(w.code);
    if (w.verdict === "replace") return "your replacing " + code + " with " + codeName(w.replacement);
    if (w.verdict === "add") return (w.span ? "your coding of a passage as " : "your adding ") + code;
    if (w.verdict === "remove") return "your removing " + code;
    if (w.verdict === "settle") return "your settlement";
    if (w.verdict === "accept") return "your acceptance of " + code;
    if (w.verdict === "reject") return "your rejection of " + code;
    return "your last decision";
  }

  function doUndo() {
    if (state.busy) return;
    state.busy = true;
    post("/api/undo", {}).then(function (d) {
      if (!d || d.undone === null || d.undone === undefined) { say("Nothing to undo"); return; }
      say("Undid " + undoneWords(d.what) + " on " + d.undone);
      if (d.item) {
        state.item = d.item;
        if (state.history[state.pos] !== d.item.excerpt) {
          state.history = state.history.slice(0, state.pos + 1);
          state.history.push(d.item.excerpt);
          state.pos = state.history.length - 1;
        }
        var i = state.skip.indexOf(d.item.excerpt);
        if (i >= 0) state.skip.splice(i, 1);
      }
      if (currentRoute() === "review") renderItem();
      refreshStatus().then(refreshProgress).catch(function () {});
    }).catch(function (e) { say(e.message, true); })
      .then(function () { state.busy = false; });
  }

  /* ---------- the code picker (add, replace) ---------- */
  var picker = { onpick: null, matches: [], sel: 0 };
  function openPicker(title, onpick, exclude) {
    loadCodebook().then(function (codes) {
      picker.onpick = onpick;
      picker.exclude = exclude || [];
      picker.all = codes;
      /* The excerpt's suggested codes first, in their order. */
      picker.boost = {};
      ((state.item && state.item.suggestions) || []).forEach(function (s, i) {
        picker.boost[s.code] = 0.9 - i * 0.01;
      });
      $("picker-title").textContent = title;
      $("picker-input").value = "";
      filterPicker();
      $("picker-dialog").showModal();
      $("picker-input").focus();
    }).catch(function (e) { say("Could not load the codebook: " + e.message, true); });
  }
  function filterPicker() {
    var typed = $("picker-input").value.trim().replace(/\s+/g, " ");
    var q = typed.toLowerCase();
    var words = q.split(/\s+/).filter(Boolean);
    var scored = [], exact = false;
    picker.already = [];
    picker.all.forEach(function (c) {
      if (q && (String(c.name).toLowerCase() === q || String(c.id).toLowerCase() === q)) exact = true;
      /* Both pickers code an excerpt: a theme (a code with child codes)
       * is not offered; its codes are. */
      if (c.is_theme) return;
      var hay = (c.name + " " + c.id + " " + (c.definition || "")).toLowerCase();
      var name = (c.name + " " + c.id).toLowerCase();
      if (!words.every(function (w) { return hay.indexOf(w) >= 0; })) return;
      /* A code already on the excerpt is shown, greyed, not offered. */
      if (picker.exclude.indexOf(c.id) >= 0) { picker.already.push(c); return; }
      var score = 0;
      words.forEach(function (w) {
        if (name.indexOf(w) === 0) score += 3;
        else if (new RegExp("(^|[\\s._-])" + w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).test(name)) score += 2;
        else if (name.indexOf(w) >= 0) score += 1;
      });
      scored.push({ c: c, s: score + (picker.boost[c.id] || 0) });
    });
    scored.sort(function (a, b) { return b.s - a.s; });
    picker.matches = scored.map(function (x) { return x.c; });
    /* A name no code has: offer to make it a new code, as NVivo and
     * Taguette do while coding. */
    picker.create = typed && !exact ? typed : null;
    picker.sel = 0;
    drawPicker();
  }
  function pickerCount() { return Math.min(picker.matches.length, 50) + (picker.create ? 1 : 0); }
  function drawPicker() {
    var ul = clear($("picker-list"));
    var shown = picker.matches.slice(0, 50);
    shown.forEach(function (c, i) {
      ul.appendChild(h("li", { role: "option", id: "pick-" + i, "aria-selected": i === picker.sel ? "true" : "false",
        onmousedown: function (ev) { ev.preventDefault(); picker.sel = i; choosePicked(); } },
        h("span", null, c.depth ? "\u2003".repeat(Math.min(c.depth, 3)) : "", c.name), idUnlessName(c.id, c.name, "mono")));
    });
    if (picker.create) {
      var k = shown.length;
      ul.appendChild(h("li", { role: "option", id: "pick-" + k, class: "pick-new",
        "aria-selected": k === picker.sel ? "true" : "false",
        onmousedown: function (ev) { ev.preventDefault(); picker.sel = k; choosePicked(); } },
        h("span", null, "New code \u201c" + picker.create + "\u201d"), h("span", { class: "muted" }, "add it to the codebook")));
    }
    picker.already.slice(0, 10).forEach(function (c) {
      ul.appendChild(h("li", { role: "option", "aria-disabled": "true", class: "pick-have" },
        h("span", null, c.name), h("span", { class: "muted" }, "already on this excerpt")));
    });
    if (!shown.length && !picker.create && !picker.already.length)
      ul.appendChild(h("li", { role: "option", "aria-disabled": "true" }, "No code matches"));
    $("picker-input").setAttribute("aria-activedescendant", pickerCount() ? "pick-" + picker.sel : "");
    var cur = $("pick-" + picker.sel);
    if (cur) cur.scrollIntoView({ block: "nearest" });
  }
  function choosePicked() {
    var c = picker.sel < Math.min(picker.matches.length, 50) ? picker.matches[picker.sel] : null;
    var f = picker.onpick;
    if (!c && picker.create && picker.sel === Math.min(picker.matches.length, 50)) {
      /* A new code first (on the record, as the Codebook's "Add a
       * code"), then the coding with it. */
      var name = picker.create;
      post("/api/codebook", { op: "add", name: name }).then(function (d) {
        $("picker-dialog").close();
        picker.onpick = null;
        say("New code \u201c" + name + "\u201d added to the codebook");
        return loadCodebook(true).then(function () { if (f) f({ id: d.id, name: name }); });
      }).catch(function (e) { say(e.message, true); });
      return;
    }
    if (!c) return;
    $("picker-dialog").close();
    picker.onpick = null;
    if (f) f(c);
  }
  $("picker-input").addEventListener("input", filterPicker);
  $("picker-input").addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); picker.sel = Math.max(0, Math.min(picker.sel + 1, pickerCount() - 1)); drawPicker(); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); picker.sel = Math.max(picker.sel - 1, 0); drawPicker(); }
  });
  $("picker-form").addEventListener("submit", function (ev) { ev.preventDefault(); choosePicked(); });
  $("picker-cancel").addEventListener("click", function () { $("picker-dialog").close(); });

  function openAdd() {
    if (!state.item) return;
    var have = (state.item.codes || []).map(function (c) { return c.code; });
    openPicker("Add a code to " + state.item.excerpt, function (c) { decide("add", c.id); }, have);
  }
  function openReplace(s) {
    if (!s) {
      var open = (state.item && state.item.suggestions || []).filter(function (x) { return !x.verdict; });
      s = open[0];
      if (!s) { say("No open suggestion to replace"); return; }
    }
    openPicker("Replace " + (s.name || s.code) + " with…", function (c) { decide("replace", s.code, c.id); }, [s.code]);
  }

  /* ---------- coding a passage: the words selected in the excerpt ----------
   * The selection is measured in the text's own span (#excerpt-body, whose
   * textContent is item.text: the speaker's name is outside it), from its
   * start, through any <mark>; white space at either end is left out, and
   * the UTF-16 offsets become code points. A selection reaching past the
   * text (from the speaker's name, into the next turn) is cut to it; one
   * with neither end in the text is not a passage. */
  function selectedPassage() {
    var body = $("excerpt-body"), it = state.item;
    var sel = window.getSelection();
    if (!body || !it || !sel || !sel.rangeCount || sel.isCollapsed) return null;
    var text = it.text || "";
    if (body.textContent !== text) return null;
    var r = sel.getRangeAt(0), all = document.createRange(), sIn, eIn;
    all.selectNodeContents(body);
    try {
      sIn = all.comparePoint(r.startContainer, r.startOffset);
      eIn = all.comparePoint(r.endContainer, r.endOffset);
    } catch (e) { return null; }
    if (sIn !== 0 && eIn !== 0) return null;
    function upTo(node, offset) {
      var pre = document.createRange();
      pre.setStart(body, 0);
      pre.setEnd(node, offset);
      return pre.toString().length;
    }
    var s = sIn === 0 ? upTo(r.startContainer, r.startOffset) : 0;
    var e = eIn === 0 ? upTo(r.endContainer, r.endOffset) : text.length;
    /* never half a surrogate pair */
    if (s > 0 && /[\uDC00-\uDFFF]/.test(text.charAt(s)) && /[\uD800-\uDBFF]/.test(text.charAt(s - 1))) s--;
    if (e < text.length && /[\uDC00-\uDFFF]/.test(text.charAt(e)) && /[\uD800-\uDBFF]/.test(text.charAt(e - 1))) e++;
    while (s < e && /\s/.test(text.charAt(s))) s++;
    while (e > s && /\s/.test(text.charAt(e - 1))) e--;
    var words = text.slice(s, e);
    if (!/[\p{L}\p{N}]/u.test(words)) return null;
    var from = codePoints(text.slice(0, s));
    return { span: [from, from + codePoints(words)], text: words, range: r };
  }
  function codePassage() {
    var it = state.item;
    if (!it || !reviewBody()) return;
    var p = selectedPassage();
    if (!p) {
      say("Select some words in the excerpt's text first, then choose Code this passage (or press p)");
      return;
    }
    var have = (it.codes || []).map(function (c) { return c.code; });
    openPicker("Code the passage " + quoteOf(p.text, 60), function (c) { decide("add", c.id, null, p.span); }, have);
  }
  /* The button sits under the end of the selection, once the mouse is
   * up (not while the words are being dragged over). */
  var passageDrag = false, passageFrame = 0;
  function showPassageButton() {
    passageFrame = 0;
    var btn = $("passage-btn");
    if (!btn) return;
    var p = passageDrag || anyDialogOpen() ? null : selectedPassage();
    if (!p) { btn.hidden = true; return; }
    var rects = p.range.getClientRects();
    var end = rects.length ? rects[rects.length - 1] : p.range.getBoundingClientRect();
    var box = btn.parentNode.getBoundingClientRect();
    btn.hidden = false;
    var w = btn.offsetWidth;
    btn.style.left = Math.max(8, Math.min(end.right - box.left - w / 2, box.width - w - 8)) + "px";
    btn.style.top = Math.round(end.bottom - box.top + 6) + "px";
    btn.setAttribute("aria-label", "Code this passage: " + quoteOf(p.text, 80));
  }
  function passageLater() {
    if (!passageFrame) passageFrame = window.requestAnimationFrame(showPassageButton);
  }
  document.addEventListener("selectionchange", passageLater);
  document.addEventListener("mousedown", function (ev) {
    if (ev.button === 0 && !(ev.target && ev.target.id === "passage-btn")) passageDrag = true;
  });
  document.addEventListener("mouseup", function () { passageDrag = false; passageLater(); });

  /* ---------- batch accept ---------- */
  var batchTimer = null;
  function openBatch() {
    if (!state.coder) { askCoder(true); return; }
    $("batch-error").textContent = "";
    $("batch-ok").disabled = true;
    $("batch-dialog").showModal();
    $("batch-threshold").focus();
    batchDryRun();
  }
  function batchDryRun() {
    var t = Number($("batch-threshold").value);
    $("batch-value").textContent = t.toFixed(2);
    var prev = clear($("batch-preview"));
    prev.appendChild(h("span", { class: "muted" }, "Counting…"));
    $("batch-ok").disabled = true;
    clearTimeout(batchTimer);
    batchTimer = setTimeout(function () {
      post("/api/accept-above", { min_confidence: t, dry_run: true }).then(function (d) {
        if (Number($("batch-threshold").value) !== t) return;
        clear(prev);
        prev.appendChild(h("p", { style: "margin:0" }, h("b", null, String(d.excerpts)), " excerpt" + (d.excerpts === 1 ? "" : "s") +
          " would get a code at confidence " + t.toFixed(2) + " or more."));
        prev.appendChild(h("p", { class: "muted", style: "margin:.3rem 0 0" }, d.heldout_error === null || d.heldout_error === undefined || !d.heldout ?
          "Expected error unknown: when the suggestions were made, no coded excerpt held out to check them reached this confidence." :
          "Expected error: " + pct1(d.heldout_error) + " (" + d.heldout_wrong + " of " + d.heldout + " coded excerpts held out when the suggestions were made got a wrong top code at this confidence or more)."));
        if (d.checked)
          prev.appendChild(h("p", { class: "muted", style: "margin:.3rem 0 0" },
            "So far people rejected or replaced " + d.wrong + " of " + d.checked + " top suggestions at this confidence or more (" + pct1(d.error) + ")."));
        $("batch-ok").disabled = !d.excerpts;
      }).catch(function (e) { clear(prev); $("batch-error").textContent = e.message; });
    }, 200);
  }
  $("batch-threshold").addEventListener("input", batchDryRun);
  $("batch-cancel").addEventListener("click", function () { $("batch-dialog").close(); });
  $("batch-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t = Number($("batch-threshold").value);
    $("batch-ok").disabled = true;
    post("/api/accept-above", { min_confidence: t, dry_run: false }).then(function (d) {
      $("batch-dialog").close();
      say("Accepted suggestions on " + d.excerpts + " excerpts (batch " + (d.batch || "") + ")");
      refreshStatus().catch(function () {});
      if (state.item) openExcerpt(state.item.excerpt);
    }).catch(function (e) { $("batch-error").textContent = e.message; $("batch-ok").disabled = false; });
  });

  /* ---------- keys ---------- */
  function setPrefix(p, text) {
    state.prefix = p;
    var el = $("prefix-hint");
    if (el) el.textContent = text || "";
  }
  function anyDialogOpen() { return !!document.querySelector("dialog[open]"); }
  document.addEventListener("keydown", function (ev) {
    if (anyDialogOpen() || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    var tag = t && t.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    var key = ev.key;
    var digit = /^Digit([1-9])$/.exec(ev.code || "");
    var n = digit ? Number(digit[1]) : (/^[1-9]$/.test(key) ? Number(key) : 0);

    if (key === "?") { ev.preventDefault(); $("help-dialog").showModal(); return; }
    if (key === "Escape") { setPrefix(null); return; }

    if (state.prefix === "g") {
      setPrefix(null);
      var dest = { r: "review", b: "browse", c: "codebook", h: "charts", n: "runs", i: "import" }[key];
      if (dest) { ev.preventDefault(); window.location.hash = "#/" + dest; }
      return;
    }
    if (key === "g" && !state.prefix) { setPrefix("g", "g: r review, b browse, c codebook, h charts, n runs, i files"); return; }

    if (currentRoute() !== "review" || !reviewBody()) return;
    var it = state.item;
    var sugg = (it && it.suggestions) || [];

    if (state.prefix === "r" || state.prefix === "x") {
      var p = state.prefix;
      setPrefix(null);
      if (!n) return;
      ev.preventDefault();
      if (p === "r") { if (sugg[n - 1]) decide("reject", sugg[n - 1].code); else say("No candidate " + n); }
      else { var c = (it && it.codes || [])[n - 1]; if (c) decide("remove", c.code); else say("You have no coding " + n); }
      return;
    }
    if (n) {
      ev.preventDefault();
      var s = sugg[n - 1];
      if (!s) { say("No candidate " + n); return; }
      if (ev.shiftKey) decide("reject", s.code); else decide("accept", s.code);
      return;
    }
    switch (key) {
    case "r": setPrefix("r", "Reject which candidate? press 1–9"); break;
    case "x": setPrefix("x", "Remove which of your codes? press 1–9"); break;
    case "a": ev.preventDefault(); openAdd(); break;
    case "p": ev.preventDefault(); codePassage(); break;
    case "e": ev.preventDefault(); openReplace(null); break;
    case "u": ev.preventDefault(); doUndo(); break;
    case "m": ev.preventDefault(); var ta = $("memo-text"); if (ta) { ta.focus(); ta.scrollIntoView({ block: "center" }); } break;
    case "b": ev.preventDefault(); openBatch(); break;
    case "s": case "Enter": case "ArrowRight":
      if (key === "Enter" && (tag === "BUTTON" || tag === "A" || tag === "SUMMARY")) return;
      ev.preventDefault(); go(1); break;
    case "ArrowLeft": ev.preventDefault(); go(-1); break;
    default: return;
    }
  });

  /* =====================================================================
   * Browse
   * ===================================================================== */
  function viewBrowse() {
    clear(main);
    var f = state.browse;
    var results = h("div", { id: "browse-results" }, h("p", { class: "loading" }, "Loading…"));
    var form = h("form", { class: "panel", role: "search", "aria-label": "Filter excerpts", onsubmit: function (ev) { ev.preventDefault(); } },
      h("div", { class: "filters", id: "filters" },
        h("div", { class: "field wide" }, h("label", { for: "f-q" }, "Search in the text"),
          h("input", { id: "f-q", type: "search", value: f.q, placeholder: "a word or phrase", oninput: debounce(function (ev) {
            f.q = ev.target.value; f.offset = 0; loadBrowse(); }, 300) }))));
    main.appendChild(h("h1", null, "Browse excerpts"));
    main.appendChild(form);
    main.appendChild(h("div", { class: "panel" }, results));
    var filtersEl = form.querySelector("#filters");
    loadCodebook().catch(function () { return []; }).then(function () { return api("GET", "/api/facets"); }).then(function (fc) {
      state.facets = fc;
      var defs = [["code", "Code", fc.codes], ["source", "Source", fc.sources], ["participant", "Participant", fc.participants],
        ["study", "Study", fc.studies], ["coder", "Coder", fc.coders], ["speaker", "Speaker", fc.speakers]];
      /* A kept filter on a code deleted or merged, or a source removed,
       * since: dropped (it would filter by what is no longer there,
       * unseen). */
      var stale = false;
      defs.forEach(function (d) {
        if (f[d[0]] && !(d[2] || []).some(function (o) { return (o.id || o.code || o.name) === f[d[0]]; })) {
          f[d[0]] = "";
          stale = true;
        }
      });
      if (stale) { f.offset = 0; loadBrowse(); }
      defs.forEach(function (d) {
        var sel = h("select", { id: "f-" + d[0], onchange: function () { f[d[0]] = sel.value; f.offset = 0; loadBrowse(); } },
          h("option", { value: "" }, "Any"),
          (d[2] || []).map(function (o) {
            var v = o.id || o.code || o.name;
            var label = d[0] === "code" && codeName(v) !== v ? codeName(v) + " (" + v + ")" : (o.name || v);
            return h("option", { value: v, selected: f[d[0]] === v }, label + (o.n !== undefined ? " · " + o.n : ""));
          }));
        filtersEl.appendChild(h("div", { class: "field" }, h("label", { for: "f-" + d[0] }, d[1]), sel));
      });
    }).catch(function (e) { filtersEl.appendChild(errorBox(e, "Filters unavailable")); });
    loadBrowse();
  }
  function debounce(fn, ms) {
    var t = null;
    return function () { var a = arguments, self = this; clearTimeout(t); t = setTimeout(function () { fn.apply(self, a); }, ms); };
  }
  /* the text with every case-insensitive occurrence of q marked */
  function marked(text, q) {
    var frag = document.createDocumentFragment();
    /* (a lower-casing that changes the length would shift the marks) */
    if (!q || text.toLowerCase().length !== text.length) { frag.appendChild(document.createTextNode(text)); return frag; }
    var lower = text.toLowerCase(), needle = q.toLowerCase(), at = 0, i;
    while ((i = lower.indexOf(needle, at)) >= 0) {
      if (i > at) frag.appendChild(document.createTextNode(text.slice(at, i)));
      frag.appendChild(h("mark", null, text.slice(i, i + needle.length)));
      at = i + needle.length;
    }
    if (at < text.length) frag.appendChild(document.createTextNode(text.slice(at)));
    return frag;
  }
  /* The text from a little before the first hit of q, when the hit lies
   * past what the three lines of a result show: the hit in view. */
  function aroundHit(text, q) {
    if (!q) return text;
    var i = text.toLowerCase().indexOf(q.toLowerCase());
    if (i < 160 || text.toLowerCase().length !== text.length) return text;
    var from = text.lastIndexOf(" ", i - 60);
    from = from < 0 ? i - 60 : from + 1;
    return "\u2026" + text.slice(from);
  }
  var browseSeq = 0;
  function loadBrowse() {
    var f = state.browse;
    var seq = ++browseSeq;
    try { sessionStorage.setItem("quarry.browse", JSON.stringify(f)); } catch (e) { /* private mode */ }
    var q = qs({ code: f.code, source: f.source, participant: f.participant, study: f.study, coder: f.coder,
      speaker: f.speaker, q: f.q, offset: f.offset, limit: 50 });
    api("GET", "/api/excerpts" + q).then(function (d) {
      if (seq !== browseSeq) return;
      var box = $("browse-results");
      if (!box) return;
      clear(box);
      var total = d.total || 0, items = d.items || [];
      var from = total ? f.offset + 1 : 0, to = f.offset + items.length;
      box.appendChild(h("p", { class: "muted", "aria-live": "polite", style: "margin-top:0" },
        total ? "Excerpts " + from + "–" + to + " of " + total : "No excerpt matches these filters."));
      box.appendChild(h("ul", { class: "results" }, items.map(function (x) {
        return h("li", null, h("button", { type: "button", class: "result", onclick: function () {
          window.location.hash = "#/review/" + encodeURIComponent(x.excerpt);
        } },
          h("span", { class: "r-meta" }, h("span", { class: "mono" }, x.excerpt),
            x.source ? h("span", null, x.source + (x.line ? ":" + x.line : "")) : null,
            x.speaker ? h("span", null, x.speaker) : null,
            x.study ? h("span", null, "study " + x.study) : null,
            x.memos ? h("span", null, x.memos + " memo" + (x.memos === 1 ? "" : "s")) : null),
          h("span", { class: "r-text" }, marked(aroundHit(x.text || "", f.q), f.q)),
          h("span", { class: "chips" }, (x.codings || []).map(function (c) {
            var chip = h("span", { class: "chip", title: originWord(c.origin) + (c.time ? ", " + when(c.time) : "") },
              c.name || c.code, h("span", { class: "k" }, "· " + c.coder + ", " + originWord(c.origin) + (c.time ? ", " + when(c.time) : "")));
            /* a coding of a passage: the passage beside its chip */
            return c.passage ? h("span", { class: "chip-coding" }, chip, passageQuote(c, "chip-passage", 90)) : chip;
          }))));
      })));
      if (total > 50) {
        box.appendChild(h("div", { class: "pager" },
          h("button", { type: "button", disabled: f.offset === 0, onclick: function () { f.offset = Math.max(0, f.offset - 50); loadBrowse(); } }, "← Previous 50"),
          h("span", { class: "muted" }, "Page " + (Math.floor(f.offset / 50) + 1) + " of " + Math.ceil(total / 50)),
          h("button", { type: "button", disabled: to >= total, onclick: function () { f.offset += 50; loadBrowse(); } }, "Next 50 →")));
      }
    }).catch(function (e) {
      var box = $("browse-results");
      if (box) clear(box).appendChild(errorBox(e, "Could not list the excerpts"));
    });
  }

  /* =====================================================================
   * Codebook
   * ===================================================================== */
  function viewCodebook() {
    clear(main);
    main.appendChild(h("h1", null, "Codebook"));
    var box = h("div", { class: "cb-layout" }, h("p", { class: "loading" }, "Loading…"));
    main.appendChild(box);
    loadCodebook(true).then(function (codes) {
      clear(box);
      /* A theme's codings: those of every code under it, as NVivo counts
       * a parent node's (its excerpts can overlap, so they are not
       * added up). */
      var kids = {};
      codes.forEach(function (c) { if (c.parent) (kids[c.parent] = kids[c.parent] || []).push(c); });
      function under(c, seen) {
        if (seen[c.id]) return 0;
        seen[c.id] = true;
        return (kids[c.id] || []).reduce(function (n, k) { return n + (k.n_codings || 0) + under(k, seen); }, 0);
      }
      var table = h("table", { class: "cb-table" },
        h("caption", { class: "visually-hidden" }, "Codes in tree order"),
        h("thead", null, h("tr", null, h("th", { scope: "col" }, "Code"), h("th", { scope: "col" }, "Definition"),
          h("th", { scope: "col", class: "n" }, "Codings"), h("th", { scope: "col", class: "n" }, "Excerpts"))),
        h("tbody", null, codes.map(function (c) {
          return h("tr", null,
            h("td", { style: "padding-left:" + (0.5 + 1.4 * (c.depth || 0)) + "rem" },
              h("span", { class: "cb-name" }, c.name), c.is_theme ? h("span", { class: "theme-badge" }, "theme") : null,
              c.id !== c.name ? h("div", { class: "mono muted" }, c.id) : null),
            h("td", { class: "cb-def" }, c.definition || "",
              (c.include || c.exclude) ? h("details", null, h("summary", null, "Include / exclude"),
                c.include ? h("div", null, h("b", null, "Include: "), c.include) : null,
                c.exclude ? h("div", null, h("b", null, "Exclude: "), c.exclude) : null) : null,
              h("button", { type: "button", class: "small link cb-edit", "aria-label": "Edit the definition of " + c.name, onclick: function () {
                var sel = document.getElementById("cb-def-code");
                if (!sel) return;
                sel.value = c.id;
                sel.dispatchEvent(new Event("change"));
                var d = document.getElementById("cb-def-def");
                d.scrollIntoView({ block: "center" });
                d.focus();
              } }, c.definition ? "Edit" : "Write a definition")),
            c.is_theme ? h("td", { class: "n", title: "codings of the codes under it" },
                (c.n_codings || 0) + under(c, {}), h("div", { class: "muted small" }, "in its codes"))
              : h("td", { class: "n" }, c.n_codings || 0),
            h("td", { class: "n" }, c.is_theme && !c.n_excerpts ? "–" : c.n_excerpts || 0));
        })));
      box.appendChild(h("div", { class: "panel" }, codes.length ? table : h("p", { class: "empty" }, "The codebook is empty: add a code.")));
      box.appendChild(codebookForms(codes));
    }).catch(function (e) { clear(box).appendChild(errorBox(e, "Could not load the codebook")); });
  }
  function codeSelect(id, codes, withNone) {
    return h("select", { id: id },
      withNone ? h("option", { value: "" }, "(top level)") : null,
      codes.map(function (c) { return h("option", { value: c.id }, "\u2002".repeat(c.depth || 0) + c.name + " (" + c.id + ")"); }));
  }
  function codebookForms(codes) {
    function form(title, fields, build) {
      var err = h("p", { class: "form-error", role: "alert" });
      var f = h("form", { "aria-label": title, onsubmit: function (ev) {
        ev.preventDefault();
        err.textContent = "";
        var body = build();
        if (!body) return;
        post("/api/codebook", body).then(function () {
          say(title + ": done");
          state.codebook = null;
          viewCodebook();
        }).catch(function (e) { err.textContent = e.message; });
      } }, h("h2", null, title), fields, err, h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, title)));
      return f;
    }
    var v = function (id) { return document.getElementById(id).value.trim(); };
    return h("div", { class: "panel cb-forms" },
      form("Add a code", [
        h("label", { for: "cb-add-name" }, "Name"), h("input", { id: "cb-add-name", required: true }),
        h("label", { for: "cb-add-code" }, "Id ", h("span", { class: "muted", style: "font-weight:400" }, "(optional, e.g. emo.relief; made from the name when empty)")), h("input", { id: "cb-add-code", class: "mono" }),
        h("label", { for: "cb-add-parent" }, "Under"), codeSelect("cb-add-parent", codes, true),
        h("label", { for: "cb-add-def" }, "Definition"), h("textarea", { id: "cb-add-def", rows: 2 })],
        function () { return { op: "add", name: v("cb-add-name"), id: v("cb-add-code") || undefined, parent: v("cb-add-parent") || undefined, definition: v("cb-add-def") || undefined }; }),
      codes.length ? [
        form("Rename", [h("label", { for: "cb-ren-code" }, "Code"), codeSelect("cb-ren-code", codes),
          h("label", { for: "cb-ren-name" }, "New name"), h("input", { id: "cb-ren-name", required: true })],
          function () { return { op: "rename", code: v("cb-ren-code"), name: v("cb-ren-name") }; }),
        form("Move", [h("label", { for: "cb-mov-code" }, "Code"), codeSelect("cb-mov-code", codes),
          h("label", { for: "cb-mov-parent" }, "New parent"), codeSelect("cb-mov-parent", codes, true)],
          function () { return { op: "move", code: v("cb-mov-code"), parent: v("cb-mov-parent") || null }; }),
        form("Merge", [h("label", { for: "cb-mrg-code" }, "Merge this code"), codeSelect("cb-mrg-code", codes),
          h("label", { for: "cb-mrg-into" }, "into"), codeSelect("cb-mrg-into", codes)],
          function () {
            if (v("cb-mrg-code") === v("cb-mrg-into")) { say("Choose two different codes to merge", true); return null; }
            return { op: "merge", code: v("cb-mrg-code"), into: v("cb-mrg-into") };
          }),
        defineForm(codes, form),
        deleteForm(codes, form)] : null);
  }
  /* What a code means: its definition and when (not) to code it, shown
   * for the code chosen and saved whole (a field left as it was is not
   * recorded again; an emptied one is cleared). */
  function defineForm(codes, form) {
    var byId = {};
    codes.forEach(function (c) { byId[c.id] = c; });
    var sel = codeSelect("cb-def-code", codes);
    var def = h("textarea", { id: "cb-def-def", rows: 3 });
    var inc = h("textarea", { id: "cb-def-inc", rows: 2 });
    var exc = h("textarea", { id: "cb-def-exc", rows: 2 });
    function fill() {
      var c = byId[sel.value] || {};
      def.value = c.definition || "";
      inc.value = c.include || "";
      exc.value = c.exclude || "";
    }
    sel.addEventListener("change", fill);
    fill();
    return form("Save definition", [h("label", { for: "cb-def-code" }, "Code"), sel,
      h("label", { for: "cb-def-def" }, "Definition"), def,
      h("label", { for: "cb-def-inc" }, "Include ", h("span", { class: "muted", style: "font-weight:400" }, "(when to code it)")), inc,
      h("label", { for: "cb-def-exc" }, "Exclude ", h("span", { class: "muted", style: "font-weight:400" }, "(when not to, and where it goes instead)")), exc],
      function () { return { op: "define", code: sel.value, definition: def.value, include: inc.value, exclude: exc.value }; });
  }
  /* A code made by mistake goes; one with work on it is merged instead
   * (the server refuses it, saying what rests on it). */
  function deleteForm(codes, form) {
    var kids = {};
    codes.forEach(function (c) { if (c.parent) kids[c.parent] = (kids[c.parent] || 0) + 1; });
    var sel = codeSelect("cb-del-code", codes);
    var note = h("p", { class: "muted small", id: "cb-del-note", "aria-live": "polite" });
    function explain() {
      var c = codes.filter(function (k) { return k.id === sel.value; })[0] || {};
      note.textContent = c.n_codings ? countWords(c.n_codings, "coding") + " on it: merge it into another code instead." :
        kids[c.id] ? countWords(kids[c.id], "code") + " under it: move or merge them first." :
        "Nothing coded with it: it can go. Its pending suggestions go with it.";
    }
    sel.addEventListener("change", explain);
    explain();
    return form("Delete a code", [h("label", { for: "cb-del-code" }, "Code"), sel, note],
      function () {
        var name = codeName(sel.value);
        if (!window.confirm("Delete the code " + name + " from the codebook? The code history keeps a record of it.")) return null;
        return { op: "delete", code: sel.value };
      });
  }

  /* =====================================================================
   * Charts
   * ===================================================================== */
  function viewCharts() {
    clear(main);
    main.appendChild(h("h1", null, "Charts"));
    var box = h("div", { class: "charts" }, h("p", { class: "loading" }, "Loading…"));
    main.appendChild(box);
    api("GET", "/api/charts").then(function (d) {
      clear(box);
      var charts = (d && d.charts) || [];
      if (!charts.length) box.appendChild(h("p", { class: "empty" }, "No chart yet: code some excerpts first."));
      /* the charts are long: a row of their titles to jump to each */
      var figs = [];
      if (charts.length > 1) box.appendChild(h("nav", { class: "chart-index", "aria-label": "Charts on this page" },
        charts.map(function (c, i) {
          return h("button", { type: "button", class: "small", onclick: function () {
            figs[i].scrollIntoView({ block: "start" }); figs[i].focus();
          } }, c.title || c.name);
        })));
      charts.forEach(function (c, i) {
        var slot = h("div", { class: "chart-body" }, h("p", { class: "loading" }, "Drawing…"));
        figs[i] = h("figure", { class: "panel chart", tabindex: "-1", style: "margin:0" }, h("figcaption", null, c.title || c.name), slot);
        box.appendChild(figs[i]);
        fetch("/api/charts/" + encodeURIComponent(c.name), { headers: { "X-Quarry-Token": TOKEN } }).then(function (r) {
          return r.text().then(function (t) {
            if (!r.ok) {
              var msg = "the server answered " + r.status;
              try { msg = JSON.parse(t).error || msg; } catch (e) { /* not JSON */ }
              throw new ApiError(r.status, msg);
            }
            return t;
          });
        }).then(function (svgText) {
          var doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
          var svg = doc.documentElement;
          if (!svg || svg.nodeName.toLowerCase() !== "svg") throw new ApiError(0, "the chart is not an SVG picture");
          /* quarry draws these; drop anything active all the same */
          svg.querySelectorAll("script, foreignObject").forEach(function (n) { n.remove(); });
          svg.querySelectorAll("*").forEach(function (n) {
            Array.prototype.slice.call(n.attributes).forEach(function (a) { if (/^on/i.test(a.name)) n.removeAttribute(a.name); });
          });
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", c.title || c.name);
          clear(slot).appendChild(document.importNode(svg, true));
        }).catch(function (e) { clear(slot).appendChild(errorBox(e, "Could not draw " + (c.title || c.name))); });
      });
    }).catch(function (e) { clear(box).appendChild(errorBox(e, "Could not list the charts")); });
  }

  /* =====================================================================
   * Runs
   * ===================================================================== */
  /* plugins come as [{kind, name, version}] (or an object kind -> name) */
  function pluginList(p) {
    if (Array.isArray(p)) return p.map(function (x) { return { kind: x.kind || "", name: x.name || "", version: x.version || "" }; });
    if (p && typeof p === "object") return Object.keys(p).map(function (k) {
      return { kind: k, name: typeof p[k] === "string" ? p[k] : JSON.stringify(p[k]), version: "" };
    });
    return [];
  }
  function pluginSummary(p) { return pluginList(p).map(function (x) { return x.name; }).join(" · "); }
  function pluginLines(p) {
    var l = pluginList(p);
    if (!l.length) return "(none recorded)";
    return l.map(function (x) { return (x.kind + ":        ").slice(0, 14) + x.name + (x.version ? " " + x.version : ""); }).join("\n");
  }

  /* {"a": {"b": 1}} -> "a.b = 1", one a line */
  function flatOptions(o) {
    var lines = [];
    (function walk(x, prefix) {
      if (x && typeof x === "object" && !Array.isArray(x)) {
        Object.keys(x).forEach(function (k) { walk(x[k], prefix ? prefix + "." + k : k); });
      } else {
        lines.push(prefix + " = " + (typeof x === "string" ? x : JSON.stringify(x)));
      }
    })(o || {}, "");
    return lines.length ? lines.join("\n") : "(none recorded)";
  }

  /* =====================================================================
   * Import: material in, and a run of suggestions, without a terminal
   * ===================================================================== */
  var ENCODINGS = [["", "Automatic (UTF-8, or UTF-16 by its mark)"],
    ["windows-1252", "Windows-1252 (Excel's CSV, Word's text on Windows)"],
    ["latin1", "Latin-1 (ISO-8859-1)"], ["macintosh", "Mac Roman (older Mac files)"],
    ["utf-16le", "UTF-16 without its mark"]];
  function viewImport() {
    clear(main);
    var pending = [];
    main.appendChild(h("h1", null, "Files"));
    main.appendChild(h("p", { class: "hint" },
      "Add interviews and coded material to this project: transcripts (.txt, Word .docx as Otter, Rev, Trint or Teams export them, LibreOffice .odt, .srt, .vtt subtitles), ",
      "sheets (.csv, .tsv, Excel's Unicode Text) and JSONL. Each file goes in whole or not at all; importing a file again adds nothing twice. ",
      "A REFI-QDA project (.qdpx) exported from NVivo, ATLAS.ti, MAXQDA or QualCoder brings its documents, codes, coders, codings and memos. ",
      "A codebook (a REFI-QDA .qdc, quarry's codebook .json, or a table of codes as .csv with a Name column, as NVivo's codebook saved from Excel) adds its codes to the Codebook."));
    var chosen = h("ul", { class: "import-chosen", id: "import-chosen" });
    var input = h("input", { type: "file", id: "import-files", multiple: true,
      accept: ".txt,.md,.docx,.odt,.srt,.vtt,.csv,.tsv,.jsonl,.json,.ndjson,.qdpx,.qdc",
      onchange: function () { take(input.files); input.value = ""; } });
    function take(files) {
      Array.prototype.forEach.call(files || [], function (f) { pending.push(f); });
      clear(chosen);
      pending.forEach(function (f) { chosen.appendChild(h("li", null, f.name, h("span", { class: "muted" }, " " + sizeWords(f.size)))); });
      addBtn.disabled = !pending.length;
    }
    var drop = h("label", { class: "drop", for: "import-files",
      ondragover: function (ev) { ev.preventDefault(); drop.classList.add("over"); },
      ondragleave: function () { drop.classList.remove("over"); },
      ondrop: function (ev) { ev.preventDefault(); drop.classList.remove("over"); take(ev.dataTransfer.files); } },
      h("strong", null, "Choose files"), " or drop them here", input);
    var study = h("input", { type: "text", id: "import-study", placeholder: "e.g. S5" });
    /* Empty by default: a file's codes are someone's work, and not
     * necessarily the person at this page. */
    var codedBy = h("input", { type: "text", id: "import-coder", value: "",
      placeholder: "e.g. ana, if the files carry codes" });
    var interviewer = h("input", { type: "text", id: "import-interviewer",
      placeholder: "speaker names, e.g. Speaker 1" });
    var participant = h("input", { type: "text", id: "import-participant", placeholder: "for one interview, e.g. P03" });
    var enc = h("select", { id: "import-encoding" }, ENCODINGS.map(function (e) { return h("option", { value: e[0] }, e[1]); }));
    var addCodes = h("input", { type: "checkbox", id: "import-add-codes" });
    var byName = h("input", { type: "checkbox", id: "import-participant-by-name" });
    /* What went in, and the questions not answered yet (who asks the
     * questions in a transcript): kept while the page is open, so leaving
     * Files and coming back loses neither. */
    var results = state.importResults ||
      h("ul", { class: "import-results", id: "import-results", "aria-live": "polite" });
    state.importResults = results;
    var addBtn = h("button", { type: "button", class: "primary", id: "import-add", disabled: true, onclick: function () {
      var files = pending.slice();
      pending = [];
      clear(chosen);
      addBtn.disabled = true;
      (function next(i) {
        if (i >= files.length) { refreshStatus(); return; }
        var f = files[i];
        var li = h("li", { class: "pending" }, f.name + ": adding…");
        results.appendChild(li);
        send(f, { interviewer: interviewer.value.trim() }, li).then(function () { next(i + 1); });
      })(0);
    } }, "Add to the project");
    /* One file to the server, its answer into li. extra: interviewer. */
    function send(f, extra, li) {
      /* Each file one participant, named by the file: "P03.docx" -> P03. */
      var stem = f.name.replace(/\.[^.]*$/, "");
      var sent = { study: study.value.trim(),
        participant: byName.checked && !participant.value.trim() ? stem : participant.value.trim() };
      return sendFile("/api/import" + qs({ name: f.name, study: sent.study, participant: sent.participant,
          encoding: enc.value, coder: codedBy.value.trim(), interviewer: extra.interviewer || "", by: state.coder || "",
          add_codes: addCodes.checked ? "1" : "" }), f).then(function (d) {
          clear(li).className = "ok";
          li.appendChild(h("strong", null, d.file));
          if (d.format !== "codebook" && !d.excerpts && !d.merged && !d.sources) {
            /* As the command line says it: nothing came in. */
            li.className = "bad";
            li.appendChild(document.createTextNode(": nothing imported: no excerpt in it. Is the file empty, or its text in a format quarry does not read?"));
            return;
          }
          if (d.format === "codebook") {
            /* A codebook, not interviews: its codes join the Codebook. */
            li.appendChild(document.createTextNode(": a codebook, " + countWords(d.added, "new code") +
              " added" + (d.unchanged ? ", " + countWords(d.unchanged, "code") + " the project had already" : "") + "."));
            (d.notices || []).forEach(function (n) { li.appendChild(h("div", { class: "muted small" }, n)); });
            if ((d.differences || []).length)
              li.appendChild(h("details", { class: "small" }, h("summary", null, "How they differ"),
                h("ul", null, d.differences.map(function (x) { return h("li", null, x); }))));
            state.codebook = null;
            return;
          }
          var changed = [sent.study ? "study " + sent.study : "", sent.participant ? "participant " + sent.participant : "",
            extra.interviewer ? "interviewer " + extra.interviewer : ""].filter(Boolean).join(", ");
          li.appendChild(document.createTextNode(": " + (d.format === "qdpx" ? countWords(d.sources, "document") + ", " : "") +
            countWords(d.excerpts, "excerpt") + " added, " + countWords(d.codings, "coding") +
            (d.format === "qdpx" && d.coders ? " by " + countWords(d.coders, "coder") : "") +
            (d.codes ? ", " + countWords(d.codes, "new code") : "") +
            (d.merged ? " (" + countWords(d.merged, "excerpt") + " already in the project" +
              (d.retagged ? "; " + changed + " set on " + d.retagged + " of them" : "") + ")" : "")));
          (d.notices || []).forEach(function (n) {
            /* The reader's notices, without the file's name again. */
            var text = n.indexOf(d.file + ": ") === 0 ? n.slice(d.file.length + 2) : n;
            var m = /^no interviewer among its speakers \((.*?)\)/.exec(text);
            if (m) {
              /* Who asks the questions: one click sends the file again with
               * that speaker as the interviewer, which sets the roles. */
              li.appendChild(h("div", { class: "small" }, "No interviewer found among its speakers. Who asks the questions? ",
                m[1].split(", ").filter(function (x) { return x !== "..."; }).map(function (name) {
                  return h("button", { type: "button", class: "small", onclick: function () {
                    var again = h("li", { class: "pending" }, f.name + ": " + name + " as the interviewer…");
                    results.appendChild(again);
                    send(f, { interviewer: name }, again);
                  } }, name);
                }), " (their turns are then left out of suggestions)"));
              return;
            }
            li.appendChild(h("div", { class: "muted small" }, text));
          });
        }, function (e) {
          clear(li).className = "bad";
          li.appendChild(h("strong", null, f.name));
          var msg = e.message.indexOf(f.name + ": ") === 0 ? e.message.slice(f.name.length + 2) : e.message;
          /* The command line's way out, as this page offers it. */
          msg = msg.replace(/import it with --encoding ([\w-]+) \(on the web page: Encoding\)/, "choose the encoding $1 under Encoding above and add it again");
          li.appendChild(document.createTextNode(": not imported. " + msg));
          if (/no such column in the header \("Name", "Description"/i.test(e.message))
            li.appendChild(h("div", { class: "small" }, "This looks like a codebook exported as a table (Name, Description). quarry reads a codebook as REFI-QDA .qdc (in NVivo: Share › Export Codebook) or quarry's .json: add that file here, and its codes join the Codebook."));
          if (/invalid UTF-8|NUL byte/.test(e.message) && !/under Encoding above/.test(msg))
            li.appendChild(h("div", { class: "small" }, "Choose the file's encoding above (Windows-1252 for a file saved by Excel or Word on Windows) and add it again."));
          if (/already in the project .*with another text/.test(e.message))
            li.appendChild(h("div", { class: "small" }, "A file of that name is in the project with other text. If this is a corrected copy, remove the old one under Sources below (while nobody has coded it) and add this one again."));
        }).then(function () { showSources(); });
    }
    main.appendChild(h("div", { class: "panel import" }, h("h2", null, "Import"),
      drop, chosen,
      h("div", { class: "import-fields" },
        h("label", { for: "import-study" }, "Study"), study,
        h("label", { for: "import-participant" }, "Participant"), participant,
        h("label", { for: "import-interviewer" }, "Interviewer"), interviewer,
        h("label", { for: "import-coder" }, "Coded by"), codedBy,
        h("label", { for: "import-encoding" }, "Encoding"), enc),
      h("p", { class: "muted small" }, "Participant: for one interview (each transcript without one counts as one person). ",
        "Interviewer: the speakers who ask the questions, when the transcript does not call them Interviewer or I. ",
        "Coded by: who made the codes the files carry (a coder field in a file wins); empty, they are filed under “imported”."),
      h("p", null, h("label", null, byName, " Each file is one participant, named by its file name (P03.docx is P03), unless Participant is given")),
      h("p", null, h("label", null, addCodes, " Add codes the codebook lacks (else a file with an unknown code is refused, naming it)")),
      addBtn, results));

    /* The files in the project, and taking one out while nobody has worked
     * on it (quarry source remove). */
    var srcBox = h("div", { id: "sources" });
    var srcPanel = h("div", { class: "panel" }, h("h2", null, "Sources"),
      h("p", { class: "hint" }, "The files in this project. One nobody has coded, decided on or written a memo on can be removed (with its excerpts and their suggestions) and added again, corrected or with other settings."),
      srcBox);
    function showSources() {
      return api("GET", "/api/sources").then(function (d) {
        clear(srcBox);
        var list = (d && d.sources) || [];
        if (!list.length) { srcBox.appendChild(h("p", { class: "empty" }, "No file yet.")); return; }
        srcBox.appendChild(h("table", { class: "runs-table sources-table" },
          h("thead", null, h("tr", null, ["File", "Excerpts", "Codings", "Decisions", "Memos", "Added", ""].map(function (t, i) {
            return h("th", { scope: "col", class: i >= 1 && i <= 4 ? "n" : null }, t);
          }))),
          h("tbody", null, list.map(function (x) {
            var worked = x.codings + x.decisions + x.memos > 0;
            return h("tr", null, h("td", null, x.name), h("td", { class: "n" }, x.excerpts), h("td", { class: "n" }, x.codings),
              h("td", { class: "n" }, x.decisions), h("td", { class: "n" }, x.memos), h("td", null, when(x.imported_at)),
              h("td", null, worked ? h("span", { class: "muted small" }, "has work on it") :
                h("button", { type: "button", class: "small", "data-source": x.name, onclick: function () {
                  if (!window.confirm("Remove " + x.name + " and its " + countWords(x.excerpts, "excerpt") + " from the project?")) return;
                  post("/api/sources/remove", { name: x.name }).then(function (r) {
                    say("Removed " + r.name + " (" + countWords(r.excerpts, "excerpt") + ")");
                    refreshStatus();
                    showSources();
                  }, function (e) { say("Not removed: " + e.message, true); });
                } }, "Remove")));
          }))));
      }, function (e) { clear(srcBox).appendChild(errorBox(e, "Could not list the files")); });
    }
    showSources();

    var runOut = h("div", { id: "suggest-result", "aria-live": "polite" });
    var runBtn = h("button", { type: "button", id: "suggest-run", onclick: function () {
      runBtn.disabled = true;
      clear(runOut).appendChild(h("p", { class: "loading" }, "Learning from the coded excerpts and suggesting…"));
      api("POST", "/api/suggest", {}).then(function (d) {
        clear(runOut).appendChild(h("p", { class: "ok" },
          "Run " + d.run + ": " + countWords(d.stored, "suggestion") + " for " + countWords(d.input, "excerpt") +
          " (" + d.abstained + " with none likely), learnt from " + countWords(d.train, "coded excerpt") +
          (d.codebook_only ? " (none coded yet: from the codebook's definitions alone)" : "") +
          ", in " + Number(d.seconds).toFixed(1) + " s. "));
        runOut.appendChild(h("a", { class: "button primary", href: "#/review", id: "suggest-review" }, "Review them"));
        refreshStatus();
      }, function (e) {
        clear(runOut).appendChild(errorBox(e, "No run made"));
      }).then(function () { runBtn.disabled = false; });
    } }, "Suggest codes");
    main.appendChild(h("div", { class: "panel" }, h("h2", null, "Suggestions"),
      h("p", { class: "hint" }, "quarry learns from every excerpt coded so far (and from your rejections) and suggests codes for the excerpts nobody has coded, as ",
        h("code", null, "quarry suggest"), " does. It only proposes: each suggestion waits for a person in Review."),
      runBtn, runOut));
    main.appendChild(srcPanel);
    main.appendChild(exportPanel());
  }
  /* The work out: each file as `quarry export` or `quarry report` writes
   * it, fetched with the token and handed to the browser as a download
   * (nothing is written on the server's disk). */
  var EXPORTS = [
    ["qdpx", "REFI-QDA project (.qdpx)", "for NVivo, ATLAS.ti, MAXQDA or QualCoder: documents, codes, codings by coder, memos"],
    ["quotes", "Quotes by code (CSV)", "one row per coded excerpt, with its theme, coder, study and participant: for writing up"],
    ["csv", "Codings (CSV)", "every coding with its coder, origin and time"],
    ["final", "Final coding (CSV)", "one row per code of an excerpt as the team settled it: the codes its coders gave alike, else the settlement's; excerpts still in dispute are left out"],
    ["final-quotes", "Final quotes by code (CSV)", "the final coding as quotes by code: for the results chapter"],
    ["matrix", "Excerpt × code matrix (CSV)", "0/1, with the excerpts' attributes: for statistics"],
    ["cooccurrence", "Code co-occurrence (CSV)", "how often two codes share an excerpt"],
    ["memos", "Memos (CSV)", "every memo on the project, a code or an excerpt, with its author, time and earlier versions"],
    ["decisions", "Decision trail (CSV)", "every accept, reject, replacement and undo, by whom and when"],
    ["code-history", "Codebook history (CSV)", "every edit of the codebook, by whom and when"],
    ["qdc", "Codebook (REFI-QDA .qdc)", "the codes with their definitions"],
    ["report", "Report (HTML)", "one page to share: codebook, charts, agreement, how the suggestions were made"]];
  function exportPanel() {
    var out = h("p", { id: "export-result", class: "small", "aria-live": "polite" });
    function fetchFile(format, btn) {
      btn.disabled = true;
      out.textContent = "Preparing the file…";
      fetch("/api/export" + qs({ format: format }), { credentials: "same-origin", headers: { "X-Quarry-Token": TOKEN } })
        .then(function (r) {
          if (!r.ok) return answerOf("/api/export")(r);
          var cd = r.headers.get("Content-Disposition") || "";
          var m = /filename="([^"]+)"/.exec(cd);
          return r.blob().then(function (b) {
            var name = m ? m[1] : "quarry-export";
            var url = URL.createObjectURL(b);
            var a = h("a", { href: url, download: name, style: "display:none" });
            document.body.appendChild(a);
            a.click();
            setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
            out.textContent = "Saved " + name + " (" + sizeWords(b.size) + ") to your downloads.";
          });
        }, function () { throw new ApiError(0, "the server does not answer: is quarry serve still running?"); })
        .catch(function (e) { clear(out).appendChild(errorBox(e, "Not exported")); })
        .then(function () { btn.disabled = false; });
    }
    return h("div", { class: "panel", id: "export" }, h("h2", null, "Export"),
      h("p", { class: "hint" }, "Take the work out of quarry. CSV files open in Excel with their accents intact."),
      h("ul", { class: "export-list" }, EXPORTS.map(function (x) {
        var btn = h("button", { type: "button", class: "small", "data-format": x[0] }, "Download");
        btn.addEventListener("click", function () { fetchFile(x[0], btn); });
        return h("li", null, btn, " ", h("strong", null, x[1]), h("span", { class: "muted" }, " — " + x[2]));
      })), out);
  }
  function countWords(n, what) { return n + " " + what + (n === 1 ? "" : "s"); }
  function sizeWords(b) { return b < 1024 ? b + " bytes" : b < 1048576 ? Math.round(b / 1024) + " KB" : (b / 1048576).toFixed(1) + " MB"; }

  function viewRuns() {
    clear(main);
    main.appendChild(h("h1", null, "Runs"));
    main.appendChild(h("p", { class: "hint" }, "Every ", h("code", null, "quarry suggest"), " run that wrote suggestions into this project, newest first: what was used, on what, and how long it took."));
    var box = h("div", { class: "panel" }, h("p", { class: "loading" }, "Loading…"));
    main.appendChild(box);
    api("GET", "/api/runs").then(function (d) {
      clear(box);
      var runs = (d && d.runs) || [];
      if (!runs.length) { box.appendChild(h("p", { class: "empty" }, "No run yet: ", h("a", { href: "#/import" }, "Suggest codes"), " on the Files page makes one.")); return; }
      box.appendChild(h("table", { class: "runs-table" },
        h("thead", null, h("tr", null, ["Run", "Command", "Started", "Seconds", "Version", "Trained on", "Input", "Suggestions", "Abstained", "Plugins"].map(function (t, i) {
          return h("th", { scope: "col", class: [3, 5, 6, 7, 8].indexOf(i) >= 0 ? "n" : null }, t);
        }))),
        h("tbody", null, runs.map(function (r, i) {
          var detailId = "run-detail-" + i;
          var detail = h("tr", { id: detailId, class: "run-detail", hidden: i !== 0 },
            h("td", { colspan: 10 },
              h("div", { class: "run-method" }, h("h3", null, "How the suggestions were made"),
                (r.method && r.method.length)
                  ? h("dl", null, r.method.map(function (m) { return [h("dt", null, m.label), h("dd", null, m.text)]; }))
                  : h("p", { class: "empty" }, "This run kept no options.")),
              h("details", { class: "run-stored" }, h("summary", null, "Plugins, options and inputs as stored"),
                h("div", { class: "run-detail-grid" },
                  h("div", null, h("h3", null, "Plugins"), h("pre", null, pluginLines(r.plugins))),
                  h("div", null, h("h3", null, "Options"), h("pre", null, flatOptions(r.options))),
                  h("div", null, h("h3", null, "Inputs"), h("pre", null,
                    "training set sha256\n" + (r.train_sha256 || "-") + "\n\ninput sha256\n" + (r.input_sha256 || "-")))))));
          var btn = h("button", { type: "button", class: "small", "aria-expanded": i === 0 ? "true" : "false",
            "aria-controls": detailId, onclick: function () {
              var open = detail.hidden;
              detail.hidden = !open;
              btn.setAttribute("aria-expanded", open ? "true" : "false");
            } }, "Details");
          return [h("tr", null,
            h("td", { class: "mono" }, r.run), h("td", { class: "cmd mono" }, r.command || ""), h("td", null, when(r.started_at)),
            h("td", { class: "n" }, r.seconds !== undefined && r.seconds !== null ? Number(r.seconds).toFixed(2) : ""),
            h("td", null, r.quarry_version || ""),
            h("td", { class: "n" }, r.n_train), h("td", { class: "n" }, r.n_input),
            h("td", { class: "n" }, r.suggestions), h("td", { class: "n" }, r.abstained),
            h("td", null, h("span", { class: "plugins" }, pluginSummary(r.plugins)), " ", btn)), detail];
        }))));
    }).catch(function (e) { clear(box).appendChild(errorBox(e, "Could not list the runs")); });
  }

  /* ---------- start ---------- */
  refreshStatus().then(function () {
    if (!state.coder) state.coder = localStorage.getItem("quarry.coder");
    $("coder-name").textContent = state.coder || "(nobody yet)";
    route();
  }).catch(function (e) {
    clear(main).appendChild(h("div", { class: "panel" }, h("h1", null, "The workbench cannot reach the project"),
      errorBox(e), h("p", { class: "muted" }, "Open the address that quarry serve printed (with its token), and keep quarry serve running.")));
  });
})();
