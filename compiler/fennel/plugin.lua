-- quire's Fennel plugin. Fennel calls these hooks while compiling; quire uses
-- them to receive errors as data (kind, message, position) rather than as
-- pre-formatted strings, and to learn where each call form sits so that a
-- (ci.job ...) registration can be reported at its own line and column.
local utils = require("fennel.utils")

local calls = {} -- calls[filename][line] = { {head=, line=, col=, endline=, endcol=}, ... }

-- suggestions returns Fennel's advice for msg, the "* Try ...." lines that
-- its friendly error message ends with, without "Try" and the period.
-- fennel.friend keeps its table of suggestions to itself; what it exports
-- is the function that formats the whole message, so that is asked for the
-- message (with no source line or highlighting) and the lines are read off.
local friend_ok, friend = pcall(require, "fennel.friend")
local function suggestions(msg)
  local out = {}
  if not friend_ok or type(friend) ~= "table" or type(friend["parse-error"]) ~= "function" then
    return out
  end
  local ok, text = pcall(friend["parse-error"], msg, "", 1, 0, "", {["error-pinpoint"] = false})
  if ok or type(text) ~= "string" then return out end
  for line in text:gmatch("[^\n]+") do
    local s = line:match("^%* Try (.*)%.$")
    if s then out[#out + 1] = s end
  end
  return out
end

local function fail(kind, msg, src, reset)
  if reset then reset() end
  error({["quire-fennel-error"] = kind, msg = msg, filename = src.filename,
         line = src.line, col = src.col, endline = src.endline, endcol = src.endcol,
         suggestions = suggestions(msg)}, 0)
end

local plugin = {name = "quire", versions = "^1%."}

plugin["assert-compile"] = function(_condition, msg, ast, reset)
  local src = {}
  if type(ast) == "table" then src = utils["ast-source"](ast) end
  fail("compile", msg, src, reset)
end

plugin["parse-error"] = function(msg, filename, line, col, _source, reset)
  fail("parse", msg, {filename = filename, line = tonumber(line), col = tonumber(col)}, reset)
end

plugin.call = function(ast, _scope)
  if not plugin["record-calls"] then return end
  local src = utils["ast-source"](ast)
  if not (src.filename and src.line) then return end
  local head = ""
  if utils["sym?"](ast[1]) then head = tostring(ast[1]) end
  local byline = calls[src.filename]
  if not byline then byline = {}; calls[src.filename] = byline end
  local list = byline[src.line]
  if not list then list = {}; byline[src.line] = list end
  list[#list + 1] = {head = head, line = src.line, col = src.col,
                     endline = src.endline, endcol = src.endcol}
end

return plugin, calls
