/**
 * Debug switches: preprocessor names a driver tests to compile in its debugging code
 * (`#ifdef DEBUG`, `#ifdef VERBOSE_DEBUG`, nicstar's `GENERAL_DEBUG`, wanxl's `DEBUG_PCI`). A file
 * that never defines one builds without that code in every configuration pinscope can know of, so
 * what is under it is not walked as a branch (issue 11, class 6). Kconfig options (CONFIG_*) are
 * not switches of this kind: they are set outside the file.
 */
const DEBUG_SWITCH = /^(?!CONFIG_)(?:\w+_)?(?:DEBUG|DBG|VERBOSE|VERBOSE_DEBUG)(?:_\w+)?$/;

export function isDebugSwitch(name: string): boolean {
  return DEBUG_SWITCH.test(name);
}
