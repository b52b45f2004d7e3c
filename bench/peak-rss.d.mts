/** See peak-rss.mjs: a plain module, so the preloaded probe needs no compiler. */
export declare function peakRssKB(): number;
