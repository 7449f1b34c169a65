/**
 * Entry of dist/client/extension.js: activation for C files starts the bundled language server.
 * Everything lives in PinscopeContext; this file only creates and ends it.
 */
import type * as vscode from 'vscode';
import type { PinscopeApi } from './api';
import { PinscopeContext } from './context';

let current: PinscopeContext | undefined;

export async function activate(extension: vscode.ExtensionContext): Promise<PinscopeApi> {
  current = new PinscopeContext(extension);
  extension.subscriptions.push(current);
  try {
    await current.client();
  } catch {
    // Logged and shown in the status bar; the commands stay available (Restart Server).
  }
  return current.api();
}

export async function deactivate(): Promise<void> {
  await current?.stop();
  current = undefined;
}
