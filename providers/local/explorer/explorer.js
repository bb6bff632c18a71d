// The local runner's API explorer: Swagger UI on the runner's own document, whose "Try it out" calls the local
// routes. "Sign in as" mints a token of the development issuer (POST /__portable/token) for a route's jwt_auth and
// hands it to Swagger UI, so that calls to auth= routes carry it.
"use strict";

const ui = SwaggerUIBundle({
  url: "/__portable/api/openapi.json",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  tryItOutEnabled: true,
  displayRequestDuration: true,
  onComplete: offerSignIn,
});

function offerSignIn() {
  const schemes = ui.specSelectors.specJson().getIn(["components", "securitySchemes"]);
  if (!schemes || schemes.size === 0) {
    return;
  }
  const form = document.getElementById("sign-in");
  const choice = form.elements.auth;
  for (const name of schemes.keys()) {
    const issuer = schemes.getIn([name, "x-portable-issuer"]) || "";
    choice.add(new Option(`${name} (${issuer})`, name));
  }
  form.hidden = false;
  form.addEventListener("submit", signIn);
}

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const status = document.getElementById("signed-in");
  const query = new URLSearchParams({ subject: form.elements.subject.value, auth: form.elements.auth.value });
  if (form.elements.scope.value.trim()) {
    query.set("scope", form.elements.scope.value.trim());
  }
  const reply = await fetch(`/__portable/token?${query}`, { method: "POST" });
  const body = await reply.json();
  if (!reply.ok) {
    status.textContent = body.error || `the runner answered ${reply.status}`;
    return;
  }
  ui.preauthorizeApiKey(body.auth, body.token);
  status.textContent = `signed in as ${body.subject} (${body.auth}); calls to its routes carry the token`;
}
