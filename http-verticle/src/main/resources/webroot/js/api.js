// REST calls. The session lives in the HttpOnly chat_token cookie, so requests only need same-origin credentials.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status; // HTTP status, or the bridge failureCode; 0 when the server could not be reached
    this.code = code;     // the server's snake_case error, when it sent one
  }
}

/** Human texts per status; the server's own message is used when it has one. */
const STATUS_TEXTS = {
  0: 'Cannot reach the server. Check your connection and try again.',
  400: 'The server could not read that request.',
  401: 'Your session has ended. Please sign in again.',
  403: 'You are not allowed to do that here.',
  404: 'That conversation does not exist (any more).',
  409: 'That name is already taken.',
  413: 'That message is too long.',
  422: 'That is not valid.',
  429: 'You are sending too fast. Wait a moment and try again.',
  503: 'The server is restarting. Try again in a moment.'
};

/** The text to show a person for a failure of a REST call or of a bridge send. */
export function describeError(status, serverMessage) {
  // Bridge failures carry "snake_code: Human text"; the code adds nothing for a person.
  const human = typeof serverMessage === 'string' ? serverMessage.replace(/^[a-z_]+: /, '').trim() : '';
  if (status === 429) return STATUS_TEXTS[429];
  return human || STATUS_TEXTS[status] || 'Something went wrong (error ' + status + ').';
}

export async function api(method, url, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  } catch (offline) {
    throw new ApiError(0, 'unreachable', STATUS_TEXTS[0]);
  }
  let data = null;
  try { data = await response.json(); } catch (notJson) { /* an empty or non-JSON body */ }
  if (!response.ok) {
    const code = data && data.error;
    throw new ApiError(response.status, code, describeError(response.status, data && data.message));
  }
  return data;
}

export const get = (url) => api('GET', url);
export const post = (url, body) => api('POST', url, body === undefined ? {} : body);
