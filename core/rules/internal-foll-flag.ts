/**
 * internal-foll-flag — pin_user_pages.rst "Basic description of FOLL_PIN": "FOLL_PIN is internal
 * to gup, meaning that it should not appear at the gup call sites." is_valid_gup_args() (v6.3+)
 * rejects every internal flag and FOLL_GET|FOLL_PIN; v6.1's is_valid_gup_flags() rejects FOLL_PIN
 * on get_* and the pin_* wrappers reject FOLL_GET.
 */
import { follFlag } from '../catalog/flags';
import { isAtLeast } from '../catalog/version';
import type { FileAnalysis } from '../fileAnalysis/types';
import type { FlagOccurrence } from '../analysis/flags';
import type { AcquireSite, Linkage } from '../fileAnalysis/linkage';
import type { Finding, Fix } from '../findings';
import { getToPinConversion } from '../fixes/conversion';
import { flagRemovalEdits } from '../fixes/flagEdits';
import { fnName, lineOf, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

function isForbidden(o: FlagOccurrence, family: 'get' | 'pin'): boolean {
  const flag = follFlag(o.name);
  if (!flag) return false;
  if (flag.use === 'internal') return true;
  return flag.use === 'get-only' && family === 'pin';
}

function where(o: FlagOccurrence): string {
  if (o.via === 'variable') return ` (through the local variable \`${o.viaName}\`)`;
  if (o.via === 'macro') return ` (through the macro ${o.viaName})`;
  return '';
}

function rejection(file: FileAnalysis, family: 'get' | 'pin', name: string): string {
  if (isAtLeast(file.version, '6.3')) {
    const returns = family === 'pin' && name !== 'pin_user_pages_fast' ? '0' : '-EINVAL';
    return `since v6.3 is_valid_gup_args() rejects it with WARN_ON_ONCE() and the call returns ${returns}; the name is in mm/internal.h, so a module does not even build`;
  }
  return "GUP sets it itself; passing it changes what the call does behind the caller's back";
}

export const internalFollFlag = defineRule({
  id: 'internal-foll-flag',
  meta: {
    title: 'Internal FOLL_* flag passed by a caller',
    severity: 'error',
    group: 'gup',
    doc: 'pinBasics',
    fixable: 'safe',
    description:
      'A GUP call is passed a flag that only GUP itself may set (FOLL_PIN, FOLL_TOUCH, FOLL_TRIED, FOLL_REMOTE, FOLL_FAST_ONLY, FOLL_UNLOCKABLE, or FOLL_GET on pin_user_pages*()).',
    catches:
      'FOLL_PIN, FOLL_TOUCH, FOLL_TRIED, FOLL_REMOTE, FOLL_FAST_ONLY, FOLL_UNLOCKABLE, FOLL_MADV_POPULATE and FOLL_COW passed to any get_user_pages*()/pin_user_pages*() call, and FOLL_GET passed to a pin_user_pages*() call — written at the call, built up in a local flags variable (`flags |= FOLL_PIN`), or hidden in a `#define` in the same file. FOLL_GET and FOLL_PIN together get a message of their own.',
    why: '"FOLL_PIN is internal to gup, meaning that it should not appear at the gup call sites." Since v6.3 is_valid_gup_args() rejects every internal flag with a WARN_ON_ONCE() and returns -EINVAL (get_*) or 0 (pin_*), and the names live in mm/internal.h so a module using them does not build. Before v6.3, FOLL_PIN on a get_* call silently produced pinned pages that the code then released with put_page().',
    wrong: 'ret = get_user_pages_fast(uaddr, nr, FOLL_WRITE | FOLL_PIN, pages);\n...\nput_page(pages[i]);',
    right: 'ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages);\n...\nunpin_user_pages(pages, ret);',
    fix: 'Removes the flag where it is written (`A | FOLL_PIN | B` → `A | B`, `FOLL_PIN` alone → `0`). The removal is safe (applied by --fix) only where every call passing the flag fails in the configured kernel — any internal flag since v6.3, FOLL_GET on pin_user_pages*() always — so no working code changes; on older kernels it is offered. Where FOLL_PIN was used to get pin semantics out of a get_* call, the offered fix is the get→pin conversion: the call becomes pin_*, FOLL_PIN and FOLL_GET go, and the releases become unpin_user_page*().',
  },
  check,
});

function check({ file, linkage, finding }: RuleContext): Finding[] {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  for (const site of linkage.acquires) {
    const { op } = site;
    if (op.helper) continue; // the helper's own call is checked where it is
    const forbidden = op.flags.occurrences.filter((o) => isForbidden(o, op.family));
    if (forbidden.length === 0) continue;
    const get = op.flags.occurrences.find((o) => o.name === 'FOLL_GET');
    const pin = op.flags.occurrences.find((o) => o.name === 'FOLL_PIN');
    const fn = site.fn.info.name;
    const related = [{ span: spanOf(op.node), message: `passed to ${fnName(op.name)} here` }];

    if (get && pin) {
      const key = `${pin.span.start}`;
      if (reported.has(key)) continue;
      reported.add(key);
      findings.push(
        finding({
          span: pin.span,
          function: fn,
          related,
          message: `FOLL_GET and FOLL_PIN are mutually exclusive: ${fnName(op.name)} is given both${where(pin)}. is_valid_gup_args() rejects the pair ("FOLL_GET and FOLL_PIN are mutually exclusive"); ${op.family === 'get' ? `to pin, call ${op.api.pinCounterpart ? fnName(op.api.pinCounterpart) : 'a pin_user_pages*() function'} without either flag` : 'pin_user_pages*() sets FOLL_PIN itself'}.`,
          fixes: fixesFor(file, linkage, site, [get, pin]),
        }),
      );
      continue;
    }
    for (const o of forbidden) {
      const key = `${o.span.start}`;
      if (reported.has(key)) continue;
      reported.add(key);
      let message: string;
      if (o.name === 'FOLL_PIN' && op.family === 'get') {
        message = `FOLL_PIN passed to ${fnName(op.name)}${where(o)}: FOLL_PIN is internal to GUP. To get pinned pages call ${op.api.pinCounterpart ? fnName(op.api.pinCounterpart) : 'a pin_user_pages*() function'} and release them with unpin_user_page*(); ${rejection(file, op.family, op.name)}.`;
      } else if (o.name === 'FOLL_GET') {
        message = `FOLL_GET passed to ${fnName(op.name)}${where(o)}: pin_user_pages*() take FOLL_PIN pins and reject FOLL_GET (WARN_ON_ONCE, ${op.name === 'pin_user_pages_fast' || !isAtLeast(file.version, '6.3') ? '-EINVAL' : 'returns 0'}).`;
      } else {
        message = `${o.name} passed to ${fnName(op.name)}${where(o)}: ${o.name} is internal to GUP — ${rejection(file, op.family, op.name)}.`;
      }
      findings.push(
        finding({
          span: o.span,
          function: fn,
          related,
          message,
          fixes: fixesFor(file, linkage, site, [o]),
        }),
      );
    }
  }
  return findings;
}

/**
 * Whether every call passing `flag` fails in this kernel version, so that no working code passes
 * it and removing it cannot change what working code does (issue 11, "Safe means safe"): since
 * v6.3 is_valid_gup_args() rejects every internal flag (and a module cannot even name them);
 * pin_user_pages*() have rejected FOLL_GET since they were added in v5.6. Before v6.3 an internal
 * flag such as FOLL_TRIED or FOLL_TOUCH still did something, so its removal is only offered.
 */
function rejectedOutright(file: FileAnalysis, family: 'get' | 'pin', flag: string): boolean {
  if (flag === 'FOLL_GET' && family === 'pin') return true;
  return isAtLeast(file.version, '6.3');
}

function fixesFor(file: FileAnalysis, linkage: Linkage, site: AcquireSite, flags: readonly FlagOccurrence[]): Fix[] {
  const { op } = site;
  const fixes: Fix[] = [];
  // FOLL_PIN on a get_* call means the code wanted pins: convert the call and its releases.
  if (op.family === 'get' && flags.some((f) => f.name === 'FOLL_PIN')) {
    const conversion = getToPinConversion(file, linkage, site);
    if (conversion) fixes.push(conversion.fix);
  }
  const removal = flagRemovalEdits(flags, file.parsed.root, file.parsed.text, file.macros);
  if (removal.length > 0) {
    const names = [...new Set(flags.map((f) => f.name))].join(' and ');
    // Removing FOLL_PIN from a get_* call silently turns pins into references: offered, not safe,
    // when the conversion exists.
    const wantedPins = op.family === 'get' && flags.some((f) => f.name === 'FOLL_PIN') && fixes.length > 0;
    const safe = !wantedPins && flags.every((f) => rejectedOutright(file, op.family, f.name));
    fixes.push({
      title: `Remove ${names}${flags.some((f) => f.via !== 'direct') ? ` (line ${lineOf(file, flags[0]?.span ?? spanOf(op.node))})` : ''}`,
      edits: removal,
      safe,
    });
  }
  return fixes;
}
