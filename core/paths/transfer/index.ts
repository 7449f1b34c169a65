/** The transfer modules the path engine runs by default, in the order it calls them. */
import { assignmentTransfer } from './assignments';
import { branchTransfer } from './branches';
import { constantTransfer } from './constants';
import { dmaTransfer } from './dma';
import type { TransferModule } from './module';
import { pageTransfer } from './pages';
import { returnTransfer } from './returns';

export const STANDARD_TRANSFERS: readonly TransferModule[] = [
  pageTransfer,
  dmaTransfer,
  assignmentTransfer,
  returnTransfer,
  branchTransfer,
  constantTransfer,
];

export type { OpTransfer, TransferModule } from './module';
