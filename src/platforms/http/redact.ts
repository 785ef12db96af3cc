/** Query parameters whose values are removed by name, whatever they hold. */
export const SENSITIVE_QUERY_PARAMS: readonly string[] = [
  'access_token',
  'secret',
  'appsecret',
  'app_secret',
  'appid',
  'client_secret',
  'refresh_token',
  'code',
];

export const REDACTED = '[redacted]';

/**
 * Replaces every occurrence of every known secret value (raw and URL-encoded) with `[redacted]`.
 * Longest first so a secret containing another is not half-redacted.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    values.add(secret);
    values.add(encodeURIComponent(secret));
  }
  let out = text;
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    out = out.split(value).join(REDACTED);
  }
  return out;
}

/** `path?query` with sensitive query values removed by name (case-insensitive), then by value. */
export function redactUrl(url: string, secrets: readonly string[]): string {
  const q = url.indexOf('?');
  if (q < 0) return redactSecrets(url, secrets);
  const pairs = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return SENSITIVE_QUERY_PARAMS.includes(decodeSafe(name).toLowerCase())
        ? `${name}=${REDACTED}`
        : pair;
    });
  return redactSecrets(`${url.slice(0, q)}?${pairs.join('&')}`, secrets);
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
