-- Neovim (0.7.2, Debian's) headless as an LSP client of `pinscope lsp --stdio`.
-- Usage: PINSCOPE_CMD='node bin/pinscope.js lsp --stdio' TEST_FILE=/abs/x.c OUT_JSON=/abs/out.json \
--          nvim --headless -n -i NONE -u pinscope.lua
-- Opens TEST_FILE, waits for pinscope's diagnostics, asks for the code actions of the longterm-get
-- diagnostic and applies the get→pin conversion (vim.lsp.util.apply_workspace_edit, as
-- vim.lsp.buf.code_action does), hovers get_user_pages_fast, then reloads the file and applies
-- source.fixAll.pinscope. Writes one JSON object (to stdout and OUT_JSON) and quits: 0 when every
-- request got an answer (the caller compares the texts), 1 otherwise.
vim.o.swapfile = false
vim.o.shadafile = 'NONE'
local TIMEOUT = tonumber(os.getenv('LSP_TIMEOUT_MS') or '15000')
local cmd = vim.split(assert(os.getenv('PINSCOPE_CMD'), 'PINSCOPE_CMD not set'), ' ', { trimempty = true })
local file = assert(os.getenv('TEST_FILE'), 'TEST_FILE not set')
local out_path = os.getenv('OUT_JSON')
if out_path == '' then out_path = nil end
local disabled = vim.json.decode(os.getenv('PINSCOPE_RULES') or '{}')

local function finish(ok, payload)
  payload.ok = ok
  payload.nvim = string.format('%d.%d.%d', vim.version().major, vim.version().minor, vim.version().patch)
  local s = vim.json.encode(payload)
  io.stdout:write(s .. '\n')
  if out_path then
    local f = assert(io.open(out_path, 'w'))
    f:write(s .. '\n')
    f:close()
  end
  for _, c in pairs(vim.lsp.get_active_clients()) do c.stop(true) end
  vim.cmd(ok and 'qa!' or 'cquit 1')
end

vim.defer_fn(function() finish(false, { error = 'global timeout' }) end, TIMEOUT * 4)

local published = {}
local logs = {}
local okedit, editerr = pcall(vim.cmd, 'edit ' .. vim.fn.fnameescape(file))
if not okedit then return finish(false, { error = 'edit failed: ' .. tostring(editerr) }) end
local bufnr = vim.api.nvim_get_current_buf()
vim.bo[bufnr].filetype = 'c'
local uri = vim.uri_from_bufnr(bufnr)

local client_id = vim.lsp.start_client({
  name = 'pinscope',
  cmd = cmd,
  root_dir = vim.fn.fnamemodify(file, ':p:h'),
  -- Neovim 0.7 declares no workspace/configuration capability, so settings are pushed: with
  -- didChangeConfiguration from on_init, as nvim-lspconfig does.
  settings = { pinscope = { debounce = 0, rules = disabled } },
  on_init = function(client)
    client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
  end,
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
      if result and result.uri == uri then table.insert(published, result) end
      return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
    end,
    ['window/logMessage'] = function(_, result) table.insert(logs, result.message) end,
  },
})
if not client_id then return finish(false, { error = 'start_client failed' }) end
vim.lsp.buf_attach_client(bufnr, client_id)

local function buffer_text()
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
end

-- Diagnostics with the rules under test (the settings arrive with didChangeConfiguration, which
-- makes the server analyse again: wait for a publish with exactly the expected codes' count).
local function last_diagnostics()
  local p = published[#published]
  return p and p.diagnostics or nil
end
local got = vim.wait(TIMEOUT, function()
  local d = last_diagnostics()
  return d ~= nil and #d == 4
end, 50)
if not got then return finish(false, { error = 'no 4 diagnostics within timeout', published = published, log = logs }) end
local diagnostics = last_diagnostics()

local longterm
for _, d in ipairs(diagnostics) do
  if d.code == 'longterm-get' then longterm = d end
end
if not longterm then return finish(false, { error = 'no longterm-get diagnostic', diagnostics = diagnostics }) end

-- Code actions for the longterm-get diagnostic, as :lua vim.lsp.buf.code_action() asks for them.
local responses, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
  textDocument = { uri = uri },
  range = longterm.range,
  context = { diagnostics = { longterm } },
}, TIMEOUT)
if not responses then return finish(false, { error = 'codeAction failed: ' .. tostring(err) }) end
local actions = {}
for _, r in pairs(responses) do
  for _, a in ipairs(r.result or {}) do table.insert(actions, a) end
end
local conversion
for _, a in ipairs(actions) do
  if a.title:find('^Convert get_user_pages_fast%(%) to pin_user_pages_fast%(%)') then conversion = a end
end
if not conversion or not conversion.edit then return finish(false, { error = 'no conversion action', actions = actions }) end
vim.lsp.util.apply_workspace_edit(vim.deepcopy(conversion.edit), 'utf-16')
local after_conversion = buffer_text()

-- Back to the original text (the file on disk was not written). Not with :edit!, which detaches
-- the buffer from the client in 0.7: replace the lines, which is one more didChange.
vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, vim.fn.readfile(file))

-- Hover on get_user_pages_fast (line 19, 0-based 18).
local hovers = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
  textDocument = { uri = uri }, position = { line = 18, character = 12 },
}, TIMEOUT)
local hover_text
for _, r in pairs(hovers or {}) do
  if r.result and r.result.contents then hover_text = r.result.contents.value end
end

-- source.fixAll.pinscope on the reloaded (original) text, once its analysis is in.
vim.wait(TIMEOUT, function()
  local v = vim.lsp.util.buf_versions[bufnr]
  local p = published[#published]
  return p ~= nil and #p.diagnostics == 4 and (p.version == nil or p.version == v)
end, 50)
local fixall = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
  textDocument = { uri = uri },
  range = { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } },
  context = { diagnostics = {}, only = { 'source.fixAll.pinscope' } },
}, TIMEOUT)
local fixall_title
for _, r in pairs(fixall or {}) do
  for _, a in ipairs(r.result or {}) do
    if a.kind == 'source.fixAll.pinscope' and a.edit then
      fixall_title = a.title
      vim.lsp.util.apply_workspace_edit(vim.deepcopy(a.edit), 'utf-16')
    end
  end
end
local after_fixall = buffer_text()

finish(hover_text ~= nil and fixall_title ~= nil, {
  diagnostics = diagnostics,
  actions = vim.tbl_map(function(a) return { title = a.title, kind = a.kind, isPreferred = a.isPreferred } end, actions),
  textAfterConversion = after_conversion,
  hover = hover_text,
  fixAllTitle = fixall_title,
  textAfterFixAll = after_fixall,
  log = logs,
})
