export declare const dashboardDir: string
export declare const buildDir: string
export declare const clientManifest: string
export declare function sourceHash(): string
export declare function isBuilt(): boolean
export declare function ensureBuilt(options?: { log?: (line: string) => void; staleMs?: number }): { built: boolean }
