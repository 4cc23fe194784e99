// The portal page's own JSON API (POST /portal/api/<action>, same origin only).

export function api(action, body) {
  const text = JSON.stringify(body);
  return fetch('/portal/api/' + action, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: text,
    cache: 'no-store',
    keepalive: text.length < 60000, // survives reloadWindow right after setUserOption
  }).then((response) => response.json().catch(() => null).then((data) => {
    if (response.ok) return data;
    const detail = data ? data.error + ': ' + data.error_description : 'HTTP ' + response.status;
    throw new Error(detail);
  }));
}
