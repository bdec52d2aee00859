// Stand-in for the "server-only" marker package under vitest (it throws outside a React server build).
export {};
