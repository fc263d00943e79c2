package dev.twinbuild.operator.gitops;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an Argo CD health script the way Argo CD does without useOpenLibs: the object as the global
 * {@code obj}, only the base, package and table libraries (no string, math, os or io), the returned
 * table read as {status, message}.
 */
final class LuaHealth {
    record Result(String status, String message) {
    }

    private LuaHealth() {
    }

    /** LuaJ (in-process). */
    static Result luaj(String script, Map<String, Object> obj) {
        Globals g = new Globals();
        g.load(new JseBaseLib());
        g.load(new PackageLib());
        g.load(new TableLib());
        LoadState.install(g);
        LuaC.install(g);
        g.set("obj", toLua(obj));
        LuaValue hs = g.load(script, "health.lua").call();
        return new Result(hs.get("status").optjstring(null), hs.get("message").optjstring(null));
    }

    private static LuaValue toLua(Object v) {
        if (v == null) {
            return LuaValue.NIL;
        } else if (v instanceof Map<?, ?> m) {
            LuaTable t = new LuaTable();
            m.forEach((k, x) -> t.set(String.valueOf(k), toLua(x)));
            return t;
        } else if (v instanceof List<?> l) {
            LuaTable t = new LuaTable();
            for (int i = 0; i < l.size(); i++) {
                t.set(i + 1, toLua(l.get(i)));
            }
            return t;
        } else if (v instanceof Number n) {
            return LuaValue.valueOf(n.doubleValue());
        } else if (v instanceof Boolean b) {
            return LuaValue.valueOf(b);
        }
        return LuaValue.valueOf(String.valueOf(v));
    }

    /**
     * The reference Lua 5.1 interpreter (Debian lua5.1), with every library but base and table removed
     * before the script runs, string methods included.
     */
    static Result lua51(String lua, Path scriptFile, Map<String, Object> obj, Path work)
            throws IOException, InterruptedException {
        String harness = "obj = " + literal(obj) + "\n"
                + "local print, loadfile, assert = print, loadfile, assert\n"
                + "getmetatable('').__index = nil\n"
                + "string, io, os, math, debug, coroutine = nil, nil, nil, nil, nil, nil\n"
                + "local hs = assert(loadfile(" + literal(scriptFile.toAbsolutePath().toString()) + "))()\n"
                + "print(hs.status)\nprint(hs.message)\n";
        Path file = Files.createTempFile(work, "harness", ".lua");
        Files.writeString(file, harness);
        Process p = new ProcessBuilder(lua, file.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(lua + " did not finish in 30 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(lua + " exited " + p.exitValue() + ": " + out);
        }
        String[] lines = out.split("\n", 2);
        return new Result(lines[0], lines.length > 1 ? lines[1].stripTrailing() : null);
    }

    private static String literal(Object v) {
        if (v == null) {
            return "nil";
        } else if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, x) -> b.append('[').append(literal(String.valueOf(k))).append("]=").append(literal(x)).append(','));
            return b.append('}').toString();
        } else if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("{");
            l.forEach(x -> b.append(literal(x)).append(','));
            return b.append('}').toString();
        } else if (v instanceof Number || v instanceof Boolean) {
            return String.valueOf(v);
        }
        StringBuilder b = new StringBuilder("\"");
        for (byte c : String.valueOf(v).getBytes(StandardCharsets.UTF_8)) {
            int u = c & 0xff;
            if (u == '"' || u == '\\') {
                b.append('\\').append((char) u);
            } else if (u < 32 || u > 126) {
                b.append(String.format("\\%03d", u)); // \ddd: the same bytes in Lua 5.1
            } else {
                b.append((char) u);
            }
        }
        return b.append('"').toString();
    }
}
