/**
 * The simulation panel's HTML: an empty page that loads the bundle (dist/webview/panel.js) by nonce,
 * its stylesheet and the codicons, under a Content-Security-Policy of `default-src 'none'`. Nothing
 * else is inline: the bundle builds the page. Pure (no vscode import), so the headless-Chromium test
 * loads exactly this page.
 */

export interface PanelHtmlOptions {
  /** webview.cspSource: where the panel's resources may come from. */
  readonly cspSource: string;
  /** A fresh random nonce for the one script. */
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly codiconsUri: string;
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

export function panelHtml(o: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(o.nonce))
    throw new Error('panelHtml: the nonce must be base64, 16 characters or more');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.codiconsUri)}">
<link rel="stylesheet" href="${attr(o.styleUri)}">
<title>pinscope simulation</title>
</head>
<body>
<div id="app" class="app" aria-busy="true"><p class="placeholder">Running the simulation…</p></div>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
