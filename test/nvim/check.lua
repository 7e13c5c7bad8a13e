-- A second real LSP client: headless Neovim 0.7 (Debian's) starts the
-- language server over stdio, opens client.ps1, waits for diagnostics,
-- asks for a hover and writes what it saw as JSON for test/nvim/run.mjs.
-- Inputs come from the environment (run.mjs sets them):
--   HSR_NVIM_SERVER   path of out/server/src/serverMain.js
--   HSR_NVIM_ROOT     the workspace folder (a temporary copy of the example)
--   HSR_NVIM_FILE     the file to open, relative to the root
--   HSR_NVIM_OUT      where to write the JSON result
--   HSR_NVIM_WAIT_MS  how long to wait for diagnostics (default 20000)

local env = vim.env
local out_path = env.HSR_NVIM_OUT
local wait_ms = tonumber(env.HSR_NVIM_WAIT_MS or '20000')
local result = { diagnostics = {}, hover = vim.NIL, hover_position = vim.NIL, errors = {}, timings = {} }
local started = vim.loop.hrtime()

local function elapsed_ms()
  return math.floor((vim.loop.hrtime() - started) / 1e6)
end

local function note_error(msg)
  table.insert(result.errors, tostring(msg))
end

local function write_result()
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
end

-- The language ids VS Code uses, so the server sees what it sees from VS Code.
local language_ids = { ps1 = 'powershell', sh = 'shellscript', hcl = 'hcl', terraform = 'terraform', json = 'json' }

local function hover_text(contents)
  if type(contents) == 'string' then return contents end
  if type(contents) ~= 'table' then return '' end
  if contents.value then return contents.value end
  local parts = {}
  for _, c in ipairs(contents) do table.insert(parts, hover_text(c)) end
  return table.concat(parts, '\n')
end

local function run()
  local root = env.HSR_NVIM_ROOT
  local file = root .. '/' .. env.HSR_NVIM_FILE
  vim.cmd('filetype on')

  local exited = false
  local client_id = vim.lsp.start_client({
    name = 'hashistack-review',
    cmd = { 'node', env.HSR_NVIM_SERVER, '--stdio' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ':t') } },
    settings = { hashistackReview = vim.empty_dict() },
    get_language_id = function(_, filetype) return language_ids[filetype] or filetype end,
    on_exit = function(code, signal)
      exited = true
      result.server_exit = { code = code, signal = signal, at_ms = elapsed_ms() }
    end,
  })
  if not client_id then error('vim.lsp.start_client failed') end

  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype
  vim.lsp.buf_attach_client(bufnr, client_id)

  local initialized = vim.wait(wait_ms, function()
    local client = vim.lsp.get_client_by_id(client_id)
    return exited or (client ~= nil and client.initialized)
  end, 20)
  result.timings.initialized_ms = elapsed_ms()
  if not initialized or exited then error('the server did not initialize (exited: ' .. tostring(exited) .. ')') end

  vim.wait(wait_ms, function() return exited or #vim.diagnostic.get(bufnr) > 0 end, 20)
  result.timings.diagnostics_ms = elapsed_ms()
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(result.diagnostics, {
      source = d.source or vim.NIL,
      code = d.code or lsp.code or vim.NIL,
      message = d.message,
      severity = d.severity,
      line = d.lnum,
      character = d.col,
    })
  end

  -- Hover where the first findings are: that is where a user would look.
  for i, d in ipairs(vim.diagnostic.get(bufnr)) do
    if i > 5 then break end
    local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = d.lnum, character = d.col } }
    local responses, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 5000)
    if err then note_error('hover: ' .. tostring(err)) end
    for _, response in pairs(responses or {}) do
      if response.error then note_error('hover: ' .. vim.inspect(response.error)) end
      local text = response.result and hover_text(response.result.contents) or ''
      if text ~= '' then
        result.hover = text
        result.hover_position = params.position
      end
    end
    if result.hover ~= vim.NIL then break end
  end
  result.timings.hover_ms = elapsed_ms()

  result.exited_before_shutdown = exited
  vim.lsp.stop_client(client_id)
  vim.wait(3000, function() return exited end, 20)
  result.timings.stopped_ms = elapsed_ms()
end

local ok, err = pcall(run)
if not ok then note_error(err) end
local wrote, werr = pcall(write_result)
if not wrote then
  io.stderr:write('check.lua: cannot write ' .. tostring(out_path) .. ': ' .. tostring(werr) .. '\n')
  vim.cmd('cquit 2')
end
vim.cmd(ok and 'qall!' or 'cquit 1')
