/* Sign-in page: keep the token in this tab, check it with /api/account. */
"use strict";

(() => {
  const form = document.getElementById("signin-form");
  const input = document.getElementById("token");

  async function show() {
    const who = await RN.account();
    document.getElementById("next").hidden = !who;
    document.getElementById("go-propose").hidden = !(who && who.may_propose);
    document.getElementById("go-review").hidden = !(who && who.may_review);
    await RN.showAccount();
    return who;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    RN.setToken(input.value.trim());
    input.value = "";
    try {
      const who = await show();
      if (who) RN.status(`Signed in as ${who.name} (${who.role}).`);
      else {
        RN.setToken("");
        RN.status("That token names no active account.", true);
      }
    } catch (e) {
      RN.setToken("");
      RN.status(e.message, true);
    }
  });

  document.getElementById("signout").addEventListener("click", async () => {
    RN.setToken("");
    await show();
    RN.status("Signed out.");
  });

  show().catch((e) => RN.status(e.message, true));
})();
