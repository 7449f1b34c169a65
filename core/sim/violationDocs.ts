/**
 * The documentation section each kind of violation follows, for violations whose own text does
 * not name a more specific one: every violation the simulation reports carries a link.
 */
import { KERNEL_DOCS } from '../catalog/docs';
import type { Violation, ViolationKind } from './types';

const DOCS_BY_KIND: Readonly<Record<ViolationKind, string>> = {
  'release-mismatch': KERNEL_DOCS.pinTracking.url,
  'double-release': KERNEL_DOCS.pinTracking.url,
  'count-mismatch': KERNEL_DOCS.gupKernelDoc.url,
  'negative-count': KERNEL_DOCS.gupKernelDoc.url,
  'use-after-release': KERNEL_DOCS.pinTracking.url,
  leak: KERNEL_DOCS.pinTracking.url,
  'invalid-args': KERNEL_DOCS.pinWhichFlags.url,
  overflow: KERNEL_DOCS.pinTracking.url,
  'zero-page-write': KERNEL_DOCS.case5.url,
  dma: KERNEL_DOCS.dmaDebug.url,
};

export function withDocs(v: Violation): Violation {
  return v.docsUrl ? v : { ...v, docsUrl: DOCS_BY_KIND[v.kind] };
}
