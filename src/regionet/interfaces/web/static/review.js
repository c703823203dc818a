/* The review queue: GET /api/proposals?state=proposed; accept with a status or reject. */
"use strict";

(() => {
  const body = document.querySelector("#queue tbody");

  function rowText(payload) {
    if (!payload) return "(delete)";
    return Object.entries(payload).map(([k, v]) => `${k}: ${v}`).join("; ");
  }

  function decision(p) {
    const status = RN.el("select", { "aria-label": `Status for proposal ${p.id}` },
      ...["verified", "partial", "assumed"].map((s) => RN.el("option", { value: s, text: s })));
    const accept = RN.el("button", { type: "button", text: "Accept" });
    const reason = RN.el("input", { type: "text", size: "18", placeholder: "reason",
                                    "aria-label": `Reason to reject proposal ${p.id}` });
    const reject = RN.el("button", { type: "button", text: "Reject" });
    accept.addEventListener("click", () => act(p, "accept", { status: status.value }));
    reject.addEventListener("click", () => act(p, "reject", { reason: reason.value.trim() }));
    return RN.el("td", {}, status, " ", accept, " ", reason, " ", reject);
  }

  async function act(p, verb, payload) {
    try {
      const done = await RN.sendJSON(`/api/proposals/${p.id}/${verb}`, payload);
      RN.status(`Proposal #${done.id} ${done.state}` +
                (done.status_given ? ` as ${done.status_given}.` : "."));
      await load();
    } catch (e) {
      RN.status(`Proposal #${p.id}: ${e.message}`, true);
    }
  }

  async function load() {
    const answer = await RN.getJSON("/api/proposals?state=proposed&limit=1000");
    document.getElementById("count").textContent = String(answer.count);
    body.replaceChildren(...answer.data.map((p) => {
      const tr = RN.el("tr", { "data-proposal": String(p.id) },
        RN.el("td", { class: "num", text: String(p.id) }),
        RN.el("td", { text: `${p.action} ${p.resource}` }),
        RN.el("td", { text: p.record_id }),
        RN.el("td", { text: `${p.author}, ${p.created_at}` }),
        RN.el("td", { text: rowText(p.payload) }));
      tr.append(decision(p));
      return tr;
    }));
  }

  load().catch((e) => RN.status(e.message, true));
})();
