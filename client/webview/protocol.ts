/**
 * The panel's one door: everything the webview bundle (client/webview/) takes from outside its own
 * folder comes through this file — the message schemas and types it shares with the extension
 * (shared/), and the one page-range formatter it shares with the CLI's step table and the hover
 * (core/sim/table.ts, plain code with no imports). test/webview/protocol.test.ts keeps it the only
 * door, so what the bundle can pull in is visible here.
 */
export {
  OUTCOME_ICON,
  parsePanelState,
  parseToPanel,
  positions,
  startStep,
  type FromPanel,
  type PanelModel,
  type PanelState,
} from '../../shared/panel';
export {
  PAGE_KINDS,
  MAX_PAGES,
  type AcquireChoice,
  type DmaState,
  type PageKind,
  type PageState,
  type PathOutcome,
  type SimPath,
  type SimStep,
  type SimulationParameters,
  type Violation,
  type VmStat,
} from '../../shared/simulation';
export { pageRangeLabel } from '../../core/sim/table';
