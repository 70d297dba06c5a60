#include "flow.hpp"

namespace sg4 = simgrid::s4u;

namespace ibmig::sim {

void Flow::start(const std::vector<sg4::Host*>& hosts, const std::vector<double>& flops,
                 const std::vector<double>& bytes)
{
  exec = sg4::this_actor::exec_init(hosts, flops, bytes);
  exec->start();
  done_ratio = 0;
}

bool Flow::running() const
{
  return exec && exec->get_state() == sg4::Activity::State::STARTED;
}

double Flow::account()
{
  if (!exec) return 0;
  auto state = exec->get_state();
  double done;
  if (state == sg4::Activity::State::FINISHED)
    done = 1.0;
  else if (state == sg4::Activity::State::STARTED)
    done = 1.0 - exec->get_remaining_ratio();
  else // canceled or failed: the kernel's action may be gone, and cancel() accounted up to the end
    return 0;
  double delta = (done - done_ratio) * payload_bytes;
  if (delta <= 0) return 0;
  done_ratio = done;
  if (on_progress) on_progress(delta);
  return delta;
}

void Flow::cancel()
{
  if (!running()) return;
  account();
  exec->cancel();
}

} // namespace ibmig::sim
