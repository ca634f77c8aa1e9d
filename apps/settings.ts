/** The reference apps' settings: the library's `AppSettings` (see `platform/settings.ts`), which users get too. */
export { AppSettings, CONTEXT_ENV, DEFAULT_DOMAIN, contextFromArgs, contextFromEnv } from '../platform';
