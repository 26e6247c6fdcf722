// The part of fengari (a Lua 5.3 VM in JavaScript, npm `fengari`) that the Argo CD health-check tests
// use. fengari ships no types. Lua strings cross the boundary as UTF-8 byte arrays.
declare module 'fengari' {
  /** An opaque Lua state. */
  export interface LuaState {
    readonly __luaState: never;
  }
  export type LuaString = Uint8Array;
  export type LuaCFunction = (L: LuaState) => number;

  export interface Lua {
    readonly LUA_OK: number;
    readonly LUA_TNIL: number;
    readonly LUA_TSTRING: number;
    readonly LUA_TTABLE: number;
    lua_close(L: LuaState): void;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_getfield(L: LuaState, index: number, key: LuaString): number;
    lua_getglobal(L: LuaState, name: LuaString): number;
    lua_type(L: LuaState, index: number): number;
    lua_tojsstring(L: LuaState, index: number): string;
    lua_pop(L: LuaState, n: number): void;
    lua_settop(L: LuaState, index: number): void;
  }

  export interface Lauxlib {
    luaL_newstate(): LuaState;
    luaL_loadstring(L: LuaState, source: LuaString): number;
    luaL_requiref(L: LuaState, name: LuaString, open: LuaCFunction, global: number): void;
  }

  export interface Lualib {
    luaopen_base: LuaCFunction;
    luaopen_table: LuaCFunction;
    luaL_openlibs(L: LuaState): void;
  }

  export interface Fengari {
    lua: Lua;
    lauxlib: Lauxlib;
    lualib: Lualib;
    to_luastring(s: string): LuaString;
    to_jsstring(s: LuaString): string;
  }

  const fengari: Fengari;
  export default fengari;
}
