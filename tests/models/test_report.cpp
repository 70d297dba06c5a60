/* The printed report: what an admin reads, so nothing may be cut off or run into the next line. */
#include "report.hpp"

#include <gtest/gtest.h>
#include <sstream>

using namespace ibmig;

// A failed check on a large cluster explains itself at length; it must be printed whole, on its own line.
TEST(Report, LongDetailsAndNamesArePrintedWhole)
{
  Report r;
  r.tool = "simulate";
  StepReport failed;
  failed.name    = "Check peers";
  failed.outcome = "failed";
  failed.detail  = std::string(2000, 'x') + " END";
  StepReport next;
  next.name = "Start VMs";
  r.steps   = {failed, next};
  DowntimeEntry vm;
  vm.name       = std::string(3000, 'v');
  vm.seconds    = 10;
  r.vm_downtime = {vm};
  std::ostringstream out;
  print_report(r, out);
  std::string text = out.str();
  EXPECT_NE(text.find(std::string(2000, 'x') + " END\n"), std::string::npos);
  EXPECT_NE(text.find("\n  " + std::string(9 - 3, ' ') + "0.0-      0.0 s  Start VMs"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string(3000, 'v') + ": 10.0 s\n"), std::string::npos);
}
