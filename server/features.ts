/**
 * What the client can do, read once from `initialize`: the handlers and document kinds shape
 * what they send by it (versioned diagnostics, related information, code lens refresh, …).
 */
import type { ClientCapabilities } from 'vscode-languageserver/node';
import type { InitializationOptions } from './protocol';

export interface ClientFeatures {
  readonly relatedInformation: boolean;
  readonly diagnosticVersion: boolean;
  readonly documentChanges: boolean;
  readonly configuration: boolean;
  readonly configurationChange: boolean;
  readonly workDoneProgress: boolean;
  readonly codeLensRefresh: boolean;
  readonly workspaceFolderChanges: boolean;
  readonly clientCommands: boolean;
}

/** Before `initialize` (and for a client that declares nothing): the plainest client. */
export const NO_FEATURES: ClientFeatures = {
  relatedInformation: false,
  diagnosticVersion: false,
  documentChanges: false,
  configuration: false,
  configurationChange: false,
  workDoneProgress: false,
  codeLensRefresh: false,
  workspaceFolderChanges: false,
  clientCommands: false,
};

export function featuresOf(c: ClientCapabilities, init: InitializationOptions | undefined): ClientFeatures {
  return {
    relatedInformation: c.textDocument?.publishDiagnostics?.relatedInformation === true,
    diagnosticVersion: c.textDocument?.publishDiagnostics?.versionSupport === true,
    documentChanges: c.workspace?.workspaceEdit?.documentChanges === true,
    configuration: c.workspace?.configuration === true,
    configurationChange: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    workDoneProgress: c.window?.workDoneProgress === true,
    codeLensRefresh: c.workspace?.codeLens?.refreshSupport === true,
    workspaceFolderChanges: c.workspace?.workspaceFolders === true,
    clientCommands: init?.clientCommands === true,
  };
}

export function isInitOptions(value: unknown): value is InitializationOptions {
  return typeof value === 'object' && value !== null;
}
