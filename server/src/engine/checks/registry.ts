/** Every check, in the order they run. */
import type { Check } from './context';
import { MEANING_CHECKS } from './meaning';
import { SELECTOR_TARGET_CHECKS } from './selectorTargets';
import { OPEN_TO_EVERYONE_CHECKS } from './openToEveryone';
import { REDUNDANCY_CHECKS } from './redundancy';
import { COVERAGE_CHECKS } from './coverage';
import { PORT_CHECKS } from './ports';
import { DNS_CHECKS } from './dns';
import { IP_BLOCK_CHECKS } from './ipBlocks';

export const CHECKS: readonly Check[] = [
  ...MEANING_CHECKS,
  ...SELECTOR_TARGET_CHECKS,
  ...OPEN_TO_EVERYONE_CHECKS,
  ...REDUNDANCY_CHECKS,
  ...COVERAGE_CHECKS,
  ...PORT_CHECKS,
  ...DNS_CHECKS,
  ...IP_BLOCK_CHECKS,
];
