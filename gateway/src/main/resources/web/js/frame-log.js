// The log of what went over the wire: frames out ("> ") and in ("< "), REST calls and errors.
// Tokens never show: anything shaped like a JWT is replaced by (token).
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const KEEP = 500; // lines

export function frameLog(element) {
  function line(kind, text) {
    const div = document.createElement('div');
    div.className = kind;
    div.textContent = text.replace(JWT, '(token)');
    const atBottom = element.scrollTop + element.clientHeight >= element.scrollHeight - 4;
    element.appendChild(div);
    while (element.childElementCount > KEEP) element.firstElementChild.remove();
    if (atBottom) element.scrollTop = element.scrollHeight;
    return div;
  }
  return {
    out: text => line('out', '> ' + text),
    in: text => line('in', '< ' + text),
    http: (method, path, status) => line(typeof status === 'number' && status < 400 ? 'http' : 'err',
                                         `HTTP ${method} ${path} -> ${status}`),
    error: text => line('err', text),
    note: text => line('note', text),
  };
}
