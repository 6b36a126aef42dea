// The REST API page: Swagger UI (from the jar, /assets/webjars) over the node's own OpenAPI
// document, and a helper that mints a development token and authorizes Swagger UI with it.

const form = document.getElementById('token-form');
const status = document.getElementById('token-status');
const tokenField = document.getElementById('token-value');

function show(text, kind) {
  status.textContent = text;
  status.className = kind ?? '';
}

/**
 * The OpenAPI document with this node as its first server: the document names localhost:8080,
 * and "Try it out" would otherwise call that address whatever node serves the page.
 */
async function openApiDocument() {
  const response = await fetch('/openapi.json');
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  const spec = await response.json();
  const others = (spec.servers ?? []).filter(server => server.url !== location.origin);
  spec.servers = [{ url: location.origin, description: 'this node' }, ...others];
  return spec;
}

/** The name of the document's HTTP bearer scheme, the one Authorize fills in. */
function bearerScheme(spec) {
  const schemes = Object.entries(spec.components?.securitySchemes ?? {});
  return schemes.find(([, s]) => s.type === 'http' && s.scheme?.toLowerCase() === 'bearer')?.[0];
}

// Resolves with the document once Swagger UI has shown it (the helper needs it to authorize).
const ready = openApiDocument().then(spec => new Promise(resolve => {
  window.ui = SwaggerUIBundle({
    spec,
    dom_id: '#swagger-ui',
    layout: 'BaseLayout', // no top bar: this page shows one document, the node's
    presets: [SwaggerUIBundle.presets.apis],
    // No deep links: the document's operations have no operationId, so Swagger UI's own ids
    // hold "_", and it logs an error for every such link it is opened with.
    deepLinking: false,
    persistAuthorization: true, // the token survives a reload (kept in this browser's storage)
    validatorUrl: null, // else Swagger UI asks an outside validator for a badge
    onComplete: () => resolve(spec),
  });
}));
ready.catch(error => show(`The OpenAPI document could not be loaded: ${error.message}`, 'error'));

form.addEventListener('submit', async event => {
  event.preventDefault();
  const sub = document.getElementById('token-sub').value.trim();
  const role = document.getElementById('token-role').value;
  const body = role ? { sub, role } : { sub };
  show('Asking this node for a development token…');
  let response;
  try {
    response = await fetch('/api/v1/dev/tokens', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
  } catch (error) {
    show(`The node did not answer: ${error.message}`, 'error');
    return;
  }
  if (response.status === 404) {
    show('Development tokens are off on this node (POST /api/v1/dev/tokens answered 404). '
        + 'Use Authorize with a token from your identity provider instead.', 'error');
    return;
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok || typeof answer?.token !== 'string') {
    show(`The node refused the token: ${response.status} ${answer?.error?.message ?? ''}`.trim(), 'error');
    return;
  }
  const spec = await ready.catch(() => null);
  if (!spec) return; // the page already says why
  const scheme = bearerScheme(spec);
  if (scheme) {
    window.ui.preauthorizeApiKey(scheme, answer.token);
    // Unlike the Authorize dialog, preauthorizeApiKey does not store the token for a reload.
    window.ui.authActions.persistAuthorizationIfNeeded();
  }
  if (!scheme || !window.ui.authSelectors.authorized().has(scheme)) {
    show('Got a token, but Swagger UI has no bearer scheme to put it in: use Authorize.', 'error');
    return;
  }
  tokenField.value = answer.token;
  tokenField.closest('label').hidden = false;
  show(`Authorized as ${sub}${role ? ` (${role})` : ''} until ${answer.expires_at}: `
      + '“Try it out” now sends this token.', 'ok');
});
