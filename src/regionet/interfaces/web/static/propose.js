/* Propose a tie: a row of ties.csv sent to POST /api/ties (a proposal for review). */
"use strict";

(() => {
  const form = document.getElementById("propose-form");
  const documents = document.getElementById("tie-document");
  const value = (id) => document.getElementById(id).value.trim();

  async function loadDocuments() {
    const answer = await RN.getJSON("/api/sources?limit=1000");
    RN.fillSelect(documents, answer.data.map((d) => [d.id, `${d.id}: ${d.title}`.slice(0, 90)]));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const row = {
      id: value("tie-id"),
      kind: value("tie-kind"),
      actors: value("tie-actors"),
      sources: `${documents.value}:${value("tie-locator")}`,
    };
    [["start", "tie-start"], ["end", "tie-end"], ["domains", "tie-domains"],
     ["description", "tie-description"]].forEach(([key, id]) => {
      if (value(id)) row[key] = value(id);
    });
    try {
      const proposal = await RN.sendJSON("/api/ties", row);
      RN.status(`Proposal #${proposal.id} sent for review: tie ${proposal.record_id}.`);
      form.reset();
    } catch (e) {
      RN.status(e.field ? `${e.message} (field ${e.field})` : e.message, true);
    }
  });

  loadDocuments().catch((e) => RN.status(e.message, true));
})();
