#include "flow.hpp"

namespace ibmig::sim {

void Flow::start(const std::vector<simgrid::s4u::Host*>& hosts, const std::vector<double>& flops,
                 const std::vector<double>& bytes)
{
  exec = simgrid::s4u::this_actor::exec_init(hosts, flops, bytes);
  exec->start();
  done_ratio = 0;
}

double Flow::account()
{
  if (!exec) return 0;
  double done  = exec->get_state() == simgrid::s4u::Activity::State::FINISHED ? 1.0 : 1.0 - exec->get_remaining_ratio();
  double delta = (done - done_ratio) * payload_bytes;
  done_ratio   = done;
  if (delta > 0 && on_progress) on_progress(delta);
  return delta;
}

} // namespace ibmig::sim
