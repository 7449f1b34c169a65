/**
 * The extension's state for one activation: the output channel, the status bar item, the language
 * client and the commands. It owns every disposable it creates; dispose() releases them all.
 */
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { ServerInfoRequest, StatusNotification, type InitializationOptions } from '../server/protocol';
import type { PinscopeApi } from './api';
import { registerCommands } from './commands';
import { CrashHandler } from './crashHandler';
import { SimulationController } from './simulation/controller';
import { StatusBar } from './statusBar';

export class PinscopeContext implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly log: vscode.LogOutputChannel;
  private readonly statusBar: StatusBar;
  private readonly crashes: CrashHandler;
  private readonly simulation: SimulationController;
  private languageClient: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;

  constructor(private readonly extension: vscode.ExtensionContext) {
    // A LogOutputChannel: vscode-languageclient ≥9 needs its error()/onDidChangeLogLevel.
    this.log = vscode.window.createOutputChannel('pinscope', { log: true });
    this.statusBar = new StatusBar();
    this.crashes = new CrashHandler({
      maxRestarts: 4,
      windowMs: 3 * 60_000,
      log: this.log,
      notify: (kind, message, ...buttons) =>
        kind === 'error'
          ? vscode.window.showErrorMessage(message, ...buttons)
          : vscode.window.showWarningMessage(message, ...buttons),
      showOutput: () => this.log.show(true),
    });
    this.disposables.push(this.log, this.statusBar);
    this.disposables.push(
      ...registerCommands({
        extensionUri: extension.extensionUri,
        log: this.log,
        client: () => this.client(),
        restart: () => this.restart(),
      }),
    );
    this.simulation = new SimulationController({
      extensionUri: extension.extensionUri,
      log: this.log,
      client: () => this.client(),
    });
    this.disposables.push(this.simulation);
    this.disposables.push(vscode.workspace.onDidCloseTextDocument((d) => this.statusBar.forget(d.uri.toString())));
  }

  private createClient(): LanguageClient {
    const module = this.extension.asAbsolutePath('dist/server/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
    };
    const initializationOptions: InitializationOptions = { clientCommands: true };
    const clientOptions: LanguageClientOptions = {
      // .h files are "cpp" in VS Code unless the user says otherwise; .pinsim traces get diagnostics,
      // hovers and the Run lens from the same server.
      documentSelector: [{ language: 'c' }, { language: 'cpp', pattern: '**/*.h' }, { language: 'pinsim' }],
      outputChannel: this.log,
      diagnosticCollectionName: 'pinscope',
      initializationOptions,
      errorHandler: this.crashes,
    };
    const client = new LanguageClient('pinscope', 'pinscope', serverOptions, clientOptions);
    this.disposables.push(
      client.onDidChangeState((e) => {
        this.statusBar.setServerState(
          e.newState === State.Running ? 'running' : e.newState === State.Starting ? 'starting' : 'stopped',
        );
      }),
    );
    this.disposables.push(client.onNotification(StatusNotification, (s) => this.statusBar.update(s)));
    return client;
  }

  /** The running client (started on first use). */
  client(): Promise<LanguageClient> {
    if (!this.starting) {
      const client = this.createClient();
      this.languageClient = client;
      this.starting = client.start().then(
        () => client,
        (e: unknown) => {
          this.starting = undefined;
          this.statusBar.setServerState('stopped');
          this.log.error(`could not start the pinscope language server: ${e instanceof Error ? e.message : String(e)}`);
          throw e;
        },
      );
    }
    return this.starting;
  }

  async restart(): Promise<void> {
    this.crashes.reset();
    const client = this.languageClient;
    if (!client || !this.starting) {
      await this.client();
      return;
    }
    this.log.info('restarting the pinscope language server');
    await client.restart();
  }

  api(): PinscopeApi {
    return {
      ready: async () => {
        await this.client();
      },
      serverInfo: async () => (await this.client()).sendRequest(ServerInfoRequest, {}),
      status: (uri) => this.statusBar.status(uri),
      statusBarText: () => this.statusBar.text,
      crashNotifications: () => this.crashes.notifications,
      crashRestarts: () => this.crashes.restarts,
      simulation: () => this.simulation.snapshot(),
      simulationReceive: (message) => this.simulation.receive(message),
    };
  }

  async stop(): Promise<void> {
    const client = this.languageClient;
    this.languageClient = undefined;
    this.starting = undefined;
    if (client && client.state !== State.Stopped) await client.stop();
  }

  dispose(): void {
    void this.stop();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
