# Reference value for the change of a ratio on a matched panel (PanelChanges.contrast), from R's
# survey package:
#
#   Rscript Tests/BansoAggregateTests/Reference/panel-reference.R
#
# Ten establishments in two strata (fpc N = 10 and 20, weights N/n); seven of them, the domain,
# answered both waves. Both waves' ratios over the domain with this wave's weights, then their
# difference with svycontrast. Prints change,se.
suppressMessages(library(survey))
options(survey.lonely.psu = "certainty")
d <- data.frame(
  id = 1:10, h = c(1, 1, 1, 1, 2, 2, 2, 2, 2, 2), N = c(rep(10, 4), rep(20, 6)),
  dom = c(1, 1, 1, 0, 1, 1, 0, 1, 1, 0),
  y1 = c(3, 1, 4, 2, 0, 5, 1, 2, 6, 3), x1 = c(30, 12, 41, 20, 9, 55, 14, 25, 60, 33),
  y0 = c(2, 2, 3, 1, 1, 3, 2, 2, 4, 1), x0 = c(28, 13, 40, 18, 10, 50, 15, 24, 58, 30))
d$w <- d$N / ave(d$id, d$h, FUN = length)
des <- svydesign(ids = ~id, strata = ~h, weights = ~w, fpc = ~N, data = d)
sub <- subset(des, dom == 1)
r <- svyratio(~y1 + y0, ~x1 + x0, sub, covmat = TRUE)
k <- svycontrast(r, c("y1/x1" = 1, "y0/x0" = -1))
cat(sprintf("%.17g,%.17g\n", coef(k), SE(k)))
