namespace ContactCenter.Hosting.Web;

/// <summary>The dashboard's script (plain JavaScript, no framework).</summary>
internal static class DashboardScript
{
    public const string Js = """
        "use strict";
        (function () {
          const KEY = "contactcenter.apiKey";
          const state = { agents: new Map(), queues: new Map(), calls: new Map(), campaigns: new Map(), minutes: new Map(), source: null, refresh: null };
          const $ = (id) => document.getElementById(id);

          // The key comes from #key= (never sent to the server), ?key= (then removed from the address bar) or the login
          // box; it lives in this tab's sessionStorage only.
          const params = new URLSearchParams(location.search);
          const fragment = new URLSearchParams(location.hash.slice(1));
          if (fragment.has("key") || params.has("key")) {
            sessionStorage.setItem(KEY, fragment.get("key") || params.get("key"));
            params.delete("key");
            history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
          }

          $("login").addEventListener("submit", (e) => {
            e.preventDefault();
            sessionStorage.setItem(KEY, $("key").value.trim());
            start();
          });
          $("signout").addEventListener("click", () => { sessionStorage.removeItem(KEY); location.reload(); });

          function key() { return sessionStorage.getItem(KEY) || ""; }

          async function api(path) {
            const response = await fetch("/api/v1" + path, { headers: { "X-Api-Key": key(), "Accept": "application/json" } });
            if (response.status === 401) { throw Object.assign(new Error("The API key is not valid."), { status: 401 }); }
            if (!response.ok) { throw Object.assign(new Error(path + ": HTTP " + response.status), { status: response.status }); }
            return response.json();
          }

          function showLogin(message) {
            $("board").hidden = true; $("signout").hidden = true; $("login").hidden = false;
            $("login-error").textContent = message || "";
            if (state.source) { state.source.abort(); state.source = null; }
          }

          async function start() {
            if (!key()) { showLogin(""); return; }
            try {
              await loadAll();
            } catch (e) {
              if (e.status === 401 || e.status === 403) { sessionStorage.removeItem(KEY); showLogin(e.status === 403 ? "This key may not read the dashboard." : e.message); return; }
              $("connection").textContent = "error: " + e.message;
            }
            $("login").hidden = true; $("board").hidden = false; $("signout").hidden = false;
            connect();
            seedChart();
          }

          async function loadAll() {
            const [agents, queues, calls, campaigns] = await Promise.all([
              api("/agents"), api("/queues"), api("/calls"), api("/campaigns").catch(() => [])]);
            state.agents = new Map(agents.map((a) => [a.id, { id: a.id, name: a.name, state: a.state, reason: a.reason, since: Date.now() - a.secondsInState * 1000, device: a.deviceAddress }]));
            state.queues = new Map(queues.map((q) => [q.queue, q]));
            state.calls = new Map(calls.map((c) => [c.callId, c]));
            state.campaigns = new Map(campaigns.map((c) => [c.id, c]));
            render();
          }

          async function loadQueues() {
            try { (await api("/queues")).forEach((q) => state.queues.set(q.queue, q)); renderQueues(); } catch (e) { /* the next event or tick retries */ }
          }

          function scheduleQueueRefresh() {
            if (state.refresh) { return; }
            state.refresh = setTimeout(() => { state.refresh = null; loadQueues(); }, 250);
          }

          // The stream is read with fetch rather than EventSource so the key travels in a header, never in a URL
          // (URLs end up in access logs).
          function setLive(live, text) {
            $("connection").textContent = text || (live ? "live" : "reconnecting");
            $("connection").className = "pill " + (live ? "on" : "off");
          }

          async function connect() {
            if (state.source) { state.source.abort(); }
            const controller = new AbortController();
            state.source = controller;
            while (!controller.signal.aborted) {
              try {
                const response = await fetch("/api/v1/events", { headers: { "X-Api-Key": key(), "Accept": "text/event-stream" }, signal: controller.signal, cache: "no-store" });
                if (response.status === 401 || response.status === 403) { sessionStorage.removeItem(KEY); showLogin("The API key was refused."); return; }
                if (!response.ok || !response.body) { throw new Error("HTTP " + response.status); }
                setLive(true);
                const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
                let buffer = "";
                for (;;) {
                  const { value, done } = await reader.read();
                  if (done) { break; }
                  buffer += value.replace(/\r\n/g, "\n");
                  let end;
                  while ((end = buffer.indexOf("\n\n")) >= 0) {
                    const frame = buffer.slice(0, end);
                    buffer = buffer.slice(end + 2);
                    const data = frame.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
                    if (data) { apply(JSON.parse(data)); }
                  }
                }
              } catch (e) {
                if (controller.signal.aborted) { return; }
              }
              setLive(false);
              await new Promise((resolve) => setTimeout(resolve, 3000));
              loadAll().catch(() => {});
            }
          }

          function apply(e) {
            const d = e.data || {};
            // Times on the page are measured with the browser's clock from when the event arrived, so a skew between
            // the server's and the browser's clocks never shows as negative or inflated durations.
            const at = Date.now();
            switch (e.type) {
              case "agent.state_changed": {
                const a = state.agents.get(d.agentId) || { id: d.agentId };
                a.state = d.to; a.reason = d.reason; a.since = at;
                state.agents.set(d.agentId, a);
                renderAgents(); scheduleQueueRefresh();
                break;
              }
              case "queue.statistics": {
                const q = state.queues.get(d.queue) || { queue: d.queue, membersByStatus: {} };
                Object.assign(q, { waiting: d.waiting, longestWaitSeconds: d.longestWaitSeconds, serviceLevel: d.serviceLevel, asaSeconds: d.asaSeconds });
                state.queues.set(d.queue, q);
                renderQueues();
                break;
              }
              case "call.started": {
                state.calls.set(d.callId, { callId: d.callId, from: d.from, to: d.to, phase: "setup", startedAt: new Date(at).toISOString() });
                const minute = Math.floor(at / 60000);
                state.minutes.set(minute, (state.minutes.get(minute) || 0) + 1);
                renderCalls(); drawChart();
                break;
              }
              case "call.queued": case "call.offered": case "call.connected": case "call.held": {
                const c = state.calls.get(d.callId) || { callId: d.callId, startedAt: new Date(at).toISOString() };
                c.phase = { "call.queued": "queued", "call.offered": "ringingAgent", "call.connected": "talking", "call.held": d.held ? "held" : "talking" }[e.type];
                if (d.queue) { c.queue = d.queue; }
                if (d.agentId) { c.agentId = d.agentId; }
                state.calls.set(d.callId, c);
                renderCalls(); scheduleQueueRefresh();
                break;
              }
              case "call.ended":
                state.calls.delete(d.callId);
                renderCalls(); scheduleQueueRefresh();
                break;
              case "campaign.progress": {
                const c = state.campaigns.get(d.campaignId) || { id: d.campaignId, name: d.campaignId };
                if (d.state) { c.state = d.state; }
                if (d.dialed !== undefined) { c.dials = d.dialed; }
                if (d.abandonRate !== undefined) { c.abandonRate = d.abandonRate; }
                state.campaigns.set(d.campaignId, c);
                renderCampaigns();
                break;
              }
            }
          }

          function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined && text !== null) { e.textContent = text; } if (cls) { e.className = cls; } return e; }
          function duration(seconds) {
            seconds = Math.max(0, Math.round(seconds));
            const h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
            return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
          }
          function percent(x) { return x === undefined || x === null ? "-" : (x * 100).toFixed(1) + "%"; }
          function fill(tbody, rows, empty, columns) {
            tbody.replaceChildren(...(rows.length ? rows : [(() => { const tr = el("tr"); const td = el("td", empty, "muted"); td.colSpan = columns; tr.append(td); return tr; })()]));
          }

          function renderAgents() {
            const order = { Busy: 0, Reserved: 1, WrapUp: 2, Available: 3, Ready: 3, NotReady: 4, Offline: 5, LoggedOut: 5 };
            const agents = [...state.agents.values()].sort((a, b) => (order[a.state] ?? 9) - (order[b.state] ?? 9) || String(a.id).localeCompare(String(b.id)));
            const counts = {};
            fill($("agents").tBodies[0], agents.map((a) => {
              counts[a.state] = (counts[a.state] || 0) + 1;
              const tr = el("tr"); tr.dataset.agent = a.id;
              tr.append(el("td", a.name ? a.name + " (" + a.id + ")" : a.id));
              const td = el("td"); td.append(el("span", a.state + (a.reason ? " - " + a.reason : ""), "state state-" + a.state)); tr.append(td);
              const since = el("td", duration((Date.now() - a.since) / 1000), "num since"); since.dataset.since = a.since; tr.append(since);
              tr.append(el("td", a.device || "", "muted"));
              return tr;
            }), "No agents", 4);
            $("agent-counts").textContent = Object.entries(counts).map(([k, v]) => v + " " + k).join(", ");
          }

          function renderQueues() {
            const queues = [...state.queues.values()].sort((a, b) => a.queue.localeCompare(b.queue));
            fill($("queues").tBodies[0], queues.map((q) => {
              const tr = el("tr"); tr.dataset.queue = q.queue;
              tr.append(el("td", q.queue));
              tr.append(el("td", String(q.waiting ?? 0), "num waiting" + (q.waiting > 0 ? " warn" : "")));
              tr.append(el("td", duration(q.longestWaitSeconds || 0), "num longest"));
              const sl = q.serviceLevel;
              tr.append(el("td", percent(sl), "num sl " + (sl === undefined ? "" : sl >= 0.8 ? "good" : sl >= 0.6 ? "warn" : "bad")));
              tr.append(el("td", duration(q.asaSeconds || 0), "num asa"));
              const members = q.membersByStatus || {};
              tr.append(el("td", String(members.Available ?? 0), "num ready"));
              tr.append(el("td", String(q.answered ?? "-"), "num"));
              tr.append(el("td", String(q.abandoned ?? "-"), "num"));
              return tr;
            }), "No queues", 8);
          }

          function renderCalls() {
            const calls = [...state.calls.values()].sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)));
            fill($("calls").tBodies[0], calls.map((c) => {
              const tr = el("tr"); tr.dataset.call = c.callId;
              tr.append(el("td", c.from || ""), el("td", c.to || ""), el("td", c.phase || ""), el("td", c.queue || ""), el("td", c.agentId || ""));
              const started = Date.parse(c.startedAt) || Date.now();
              const td = el("td", duration((Date.now() - started) / 1000), "num since"); td.dataset.since = started; tr.append(td);
              return tr;
            }), "No calls in progress", 6);
            $("call-count").textContent = calls.length ? "(" + calls.length + ")" : "";
          }

          function renderCampaigns() {
            const campaigns = [...state.campaigns.values()];
            fill($("campaigns").tBodies[0], campaigns.map((c) => {
              const tr = el("tr"); tr.dataset.campaign = c.id;
              tr.append(el("td", c.name), el("td", c.state || ""));
              const total = (c.openContacts || 0) + (c.finishedContacts || 0);
              const done = total ? (c.finishedContacts || 0) / total : 0;
              const td = el("td"); const bar = el("div", undefined, "bar"); const fillBar = el("span"); fillBar.style.width = (done * 100).toFixed(1) + "%";
              bar.append(fillBar); bar.title = (c.finishedContacts || 0) + " of " + total + " contacts finished"; td.append(bar); tr.append(td);
              tr.append(el("td", String(c.dials ?? 0), "num"));
              const cap = c.abandonCap ?? 0.03, rate = c.abandonRate ?? 0;
              tr.append(el("td", percent(rate) + " / " + percent(cap), "num abandon " + (rate >= cap ? "bad" : rate >= cap * 0.8 ? "warn" : "good")));
              return tr;
            }), "No campaigns", 5);
          }

          function render() { renderAgents(); renderQueues(); renderCalls(); renderCampaigns(); drawChart(); }

          async function seedChart() {
            const since = new Date(Date.now() - 30 * 60000).toISOString();
            try {
              const page = await api("/call-records?limit=1000&from=" + encodeURIComponent(since));
              page.items.forEach((r) => { const m = Math.floor(Date.parse(r.startedAt) / 60000); state.minutes.set(m, (state.minutes.get(m) || 0) + 1); });
              drawChart();
            } catch (e) { /* a key without the reporting role sees live calls only */ }
          }

          function drawChart() {
            const canvas = $("cpm"), g = canvas.getContext("2d");
            const now = Math.floor(Date.now() / 60000), w = canvas.width, h = canvas.height, pad = 24;
            const values = []; for (let m = now - 29; m <= now; m++) { values.push(state.minutes.get(m) || 0); }
            const max = Math.max(4, ...values);
            g.clearRect(0, 0, w, h);
            g.fillStyle = "#6b7280"; g.font = "11px system-ui, sans-serif";
            g.fillText(String(max), 2, 12); g.fillText("0", 2, h - pad + 4); g.fillText("-30 min", pad, h - 6); g.fillText("now", w - 24, h - 6);
            g.strokeStyle = "#e3e6eb"; g.beginPath(); g.moveTo(pad, h - pad); g.lineTo(w, h - pad); g.stroke();
            const bw = (w - pad) / values.length;
            g.fillStyle = "#1f5fbf";
            values.forEach((v, i) => { const bh = (h - pad - 8) * v / max; g.fillRect(pad + i * bw + 1, h - pad - bh, bw - 2, bh); });
          }

          setInterval(() => {
            document.querySelectorAll("td.since").forEach((td) => { td.textContent = duration((Date.now() - Number(td.dataset.since)) / 1000); });
            $("clock").textContent = new Date().toLocaleTimeString();
          }, 1000);
          setInterval(() => { if (!$("board").hidden) { loadAll().catch(() => {}); drawChart(); } }, 15000);

          start();
        })();
        """;
}
