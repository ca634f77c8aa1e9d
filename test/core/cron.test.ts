/** Cron schedules as a CronJob reads them, and the longest time between two runs. */
import { CronSyntaxError, maxIntervalSeconds, parseCron } from '../../platform/core/cron';

const interval = (expression: string) => maxIntervalSeconds(parseCron(expression));
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

test.each([
  ['*/15 * * * *', 15 * MINUTE],
  ['0,20 * * * *', 40 * MINUTE],
  ['@hourly', HOUR],
  ['30 2 * * *', DAY],
  ['0 1,13 * * *', 12 * HOUR],
  ['0 22 * * *', DAY],
  // Friday 09:00 to Monday 09:00.
  ['0 9 * * 1-5', 3 * DAY],
  ['0 9 * * MON-FRI', 3 * DAY],
  ['@weekly', 7 * DAY],
  // The longest month.
  ['@monthly', 31 * DAY],
  // Both day fields restricted: either matches (robfig/cron, as the CronJob controller), so at most a week apart.
  ['0 0 1 * 1', 7 * DAY],
  // One of them `*`: both must match, every Monday.
  ['0 0 * * 1', 7 * DAY],
  ['0 0 1 jan *', 366 * DAY],
  ['0 0 29 2 *', (4 * 365 + 1) * DAY],
])('%s runs at most %d seconds apart', (expression, seconds) => {
  expect(interval(expression)).toBe(seconds);
});

test.each([
  ['', 'has 1 field'],
  ['* * * *', 'has 4 fields'],
  ['0 24 * * *', 'hour 24 is outside 0-23'],
  ['0 0 0 * *', 'day of month 0 is outside 1-31'],
  ['0 0 * 13 *', 'month 13 is outside 1-12'],
  ['0 0 * * 7', 'day of week 7 is outside 0-6'],
  ['5-1 * * * *', 'runs backwards'],
  ['*/0 * * * *', 'not a positive number'],
  ['0 0 * * funday', '"funday" is not a day of week'],
  ['0 0 30 2 *', 'never runs'],
])('%j is refused: %s', (expression, problem) => {
  expect(() => interval(expression)).toThrow(CronSyntaxError);
  expect(() => interval(expression)).toThrow(problem);
});
