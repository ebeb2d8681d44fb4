/**
 * The page a person opens to watch the machine: it embeds the Stately
 * inspector (hosted by Stately, so the browser needs internet) and passes
 * it every message the local relay receives. Only the relay's own address,
 * with its key, can serve or feed it.
 */

export interface BridgePage {
  html: string;
  /** Headers that keep the page from leaking its key or loading anything else. */
  headers: Record<string, string>;
}

export function bridgePage(options: { socketUrl: string; viewerUrl: string; nonce: string }) {
  const viewerOrigin = new URL(options.viewerUrl).origin;
  const socketOrigin = new URL(options.socketUrl).origin;
  // JSON.stringify quotes the values, so no URL can break out of the script.
  const script = `
    const viewer = document.getElementById('viewer');
    const waiting = [];
    let ready = false;
    const viewerOrigin = ${JSON.stringify(viewerOrigin)};
    const deliver = (message) => viewer.contentWindow.postMessage(message, viewerOrigin);
    window.addEventListener('message', (event) => {
      if (event.source !== viewer.contentWindow) return;
      if (!event.data || event.data.type !== '@statelyai.connected') return;
      ready = true;
      waiting.splice(0).forEach(deliver);
    });
    const socket = new WebSocket(${JSON.stringify(options.socketUrl)});
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (ready) deliver(message);
      else waiting.push(message);
    };`;
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>Export orchestrator – Stately inspector</title>',
    '<style>html,body,iframe{margin:0;width:100%;height:100%;border:0}</style></head>',
    `<body><iframe id="viewer" src="${encodeURI(options.viewerUrl)}"></iframe>`,
    `<script nonce="${options.nonce}">${script}</script></body></html>`,
  ].join('\n');
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The page's address holds the relay key; no request may carry it away.
    'referrer-policy': 'no-referrer',
    'content-security-policy': [
      "default-src 'none'",
      "style-src 'unsafe-inline'",
      `script-src 'nonce-${options.nonce}'`,
      `frame-src ${viewerOrigin}`,
      `connect-src ${socketOrigin}`,
    ].join('; '),
  };
  return { html, headers } satisfies BridgePage;
}
