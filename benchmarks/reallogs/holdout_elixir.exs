# Real work with Elixir's Logger (default console formatter, stderr); used by collect_holdout.sh.
require Logger
Logger.configure(level: :debug)
defmodule Counter do
  use GenServer
  def init(n), do: {:ok, n}
  def handle_call(:inc, _from, n), do: {:reply, n + 1, n + 1}
  def handle_call(:crash, _from, _n), do: raise(ArgumentError, "counter state corrupted")
end
Logger.info("holdout worker starting on #{node()}")
Logger.debug("reading config from /tmp/llhold/missing.conf")
case File.read("/tmp/llhold/missing.conf") do
  {:ok, _} -> Logger.info("config loaded")
  {:error, reason} -> Logger.warning("config not readable: #{inspect(reason)}, using defaults")
end
case :gen_tcp.connect({127, 0, 0, 1}, 5399, [:binary], 1000) do
  {:ok, s} -> :gen_tcp.close(s)
  {:error, reason} -> Logger.error("upstream 127.0.0.1:5399 unreachable: #{inspect(reason)}")
end
{:ok, s} = :gen_tcp.connect({127, 0, 0, 1}, 8903, [:binary, active: false], 1000)
:gen_tcp.send(s, "GET /nope.html HTTP/1.0\r\nHost: localhost\r\n\r\n")
{:ok, reply} = :gen_tcp.recv(s, 0, 2000)
Logger.info("php server answered: #{reply |> String.split("\r\n") |> hd()}")
Process.flag(:trap_exit, true)
{:ok, pid} = GenServer.start_link(Counter, 0)
Logger.info("counter at #{GenServer.call(pid, :inc)}")
try do
  GenServer.call(pid, :crash)
catch
  :exit, reason -> Logger.error("counter call failed: #{inspect(reason, limit: 3)}")
end
receive do
  {:EXIT, ^pid, _} -> Logger.notice("counter exited, restarting")
after 1000 -> :ok
end
{:ok, pid2} = GenServer.start_link(Counter, 10)
Logger.info("counter restarted at #{GenServer.call(pid2, :inc)}")
task = Task.async(fn -> String.to_integer("12x") end)
try do
  Task.await(task)
catch
  :exit, _ -> Logger.critical("parser task crashed")
end
Process.sleep(300)
spawn(fn -> Enum.fetch!(Enum.to_list(1..3), 7) end)
Process.sleep(300)
Logger.info("holdout worker done")
Process.sleep(200)
