/* Overview page: fill the region picker and open the chosen profile. */
"use strict";

(async () => {
  const select = document.getElementById("region-pick");
  try {
    const subjects = await RN.getJSON("/api/actors?kind=subject&limit=1000");
    const pairs = subjects.data.map((a) => [a.id, a.name_en])
      .sort((a, b) => a[1].localeCompare(b[1]));
    RN.fillSelect(select, pairs, "RU-KR");
  } catch (err) {
    select.replaceChildren(RN.el("option", { value: "", text: "regions unavailable" }));
    return;
  }
  document.getElementById("region-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (select.value) window.location.href = `/region/${encodeURIComponent(select.value)}`;
  });
})();
