/** Every check, in the order they run. */
import type { Check } from './context';
import { MEANING_CHECKS } from './meaning';
import { WORKSPACE_MEANING_CHECKS } from './workspaceMeaning';
import { COVERAGE_CHECKS } from './coverage';
import { PORT_CHECKS } from './ports';
import { DNS_CHECKS } from './dns';
import { IP_BLOCK_CHECKS } from './ipBlocks';

export const CHECKS: readonly Check[] = [
  ...MEANING_CHECKS,
  ...WORKSPACE_MEANING_CHECKS,
  ...COVERAGE_CHECKS,
  ...PORT_CHECKS,
  ...DNS_CHECKS,
  ...IP_BLOCK_CHECKS,
];
