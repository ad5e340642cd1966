# Reference values for the weighted estimates, from R's survey package.
#
#   Rscript Tests/BansoAggregateTests/Reference/survey-reference.R RUN_FOLDER PREFECTURE_CODE [CODES...]
#
# RUN_FOLDER is a run of Bansō with weighting (clean/ and internal/ inside). Prints CSV:
# area,indicator,value,se for the prefecture and the municipalities named (all when none).
# The design: establishments are the clusters, the weighting cells (after collapsing) the strata,
# N of the cell the fpc; for worker indicators the strata are the municipalities and there is no
# fpc. A lonely unit's stratum contributes nothing (certainty).
suppressMessages(library(survey))
options(survey.lonely.psu = "certainty")
args <- commandArgs(trailingOnly = TRUE)
run <- args[1]; pref <- args[2]; codes <- args[-(1:2)]
num <- function(x) suppressWarnings(as.numeric(x))
est <- read.csv(file.path(run, "clean/establishments.csv"), colClasses = "character")
w <- read.csv(file.path(run, "internal/weights.csv"), colClasses = "character")
d <- merge(est, w[, c("establishment_id", "cell", "frame_count", "weight")], by = "establishment_id")
d$muni <- d$municipality_code
d$w <- num(d$weight); d$N <- num(d$frame_count)
d$care <- num(d$care_staff_regular) + num(d$care_staff_nonregular)
d$ago <- num(d$care_staff_year_ago)
d$sep <- num(d$separations_regular) + num(d$separations_nonregular)
d$hire <- num(d$hires_regular) + num(d$hires_nonregular)
d$vac <- num(d$vacancies)
d$s <- num(d$shortage_perception)
d$short <- as.numeric(!is.na(d$s) & d$s <= 3)
des <- svydesign(ids = ~establishment_id, strata = ~cell, weights = ~w, fpc = ~N, data = d)

wk <- read.csv(file.path(run, "clean/workers.csv"), colClasses = "character")
ww <- read.csv(file.path(run, "internal/worker_weights.csv"), colClasses = "character")
names(ww)[names(ww) == "municipality_code"] <- "cluster_muni"
v <- merge(wk, ww[, c("establishment_id", "cluster_muni", "cell", "frame_count", "worker_weight")],
           by = "establishment_id")
v$muni <- v$cluster_muni
v$w <- num(v$worker_weight); v$N <- num(v$frame_count)
v$regular <- v$employment_type == "1"
v$wage <- num(v$monthly_wage)
v$has_wage <- as.numeric(v$regular & !is.na(v$wage))
v$wage_y <- ifelse(v$has_wage == 1, v$wage, 0)
v$i <- num(v$intention_to_continue)
v$answered <- as.numeric(!is.na(v$i) & v$i >= 1 & v$i <= 4)
v$leave <- as.numeric(v$answered == 1 & v$i == 3)
v$age_n <- num(v$age); v$has_age <- as.numeric(!is.na(v$age_n)); v$age_y <- ifelse(is.na(v$age_n), 0, v$age_n)
# Workers are sampled within establishments: no fpc (ultimate-cluster variance), and the strata
# are the municipalities (a weighting cell holds too few worker-survey establishments).
wdes <- svydesign(ids = ~establishment_id, strata = ~cluster_muni, weights = ~w, data = v)

# An empty domain (no answers in the area) has no estimate: nothing is printed for it.
out <- function(area, indicator, value, se) {
  if (!is.na(value)) cat(sprintf("%s,%s,%.17g,%.17g\n", area, indicator, value, se))
}
ratio <- function(area, indicator, design, y, x, scale) {
  if (sum(weights(design) > 0) == 0) return(invisible())
  r <- svyratio(as.formula(paste0("~", y)), as.formula(paste0("~", x)), design)
  out(area, indicator, coef(r)[1] * scale, SE(r)[1] * scale)
}
areas <- if (length(codes) > 0) codes else sort(unique(d$muni))
cat("area,indicator,value,se\n")
for (area in c(pref, areas)) {
  inArea <- function(m) if (area == pref) rep(TRUE, length(m)) else m == area
  ratio(area, "turnover_rate", subset(des, inArea(muni) & !is.na(sep) & !is.na(ago)), "sep", "ago", 100)
  ratio(area, "hiring_rate", subset(des, inArea(muni) & !is.na(hire) & !is.na(ago)), "hire", "ago", 100)
  total <- function(indicator, y) {
    sub <- subset(des, inArea(muni) & !is.na(d[[y]]))
    if (sum(weights(sub) > 0) == 0) return(invisible())
    t <- svytotal(as.formula(paste0("~", y)), sub)
    out(area, indicator, coef(t)[1], SE(t)[1])
  }
  total("estimated_care_staff", "care")
  total("estimated_hires", "hire")
  total("estimated_separations", "sep")
  total("estimated_vacancies", "vac")
  sub <- subset(des, inArea(muni) & !is.na(s) & s >= 1 & s <= 5)
  if (sum(weights(sub) > 0) > 0) {
    m <- svymean(~short, sub)
    out(area, "shortage_share", coef(m)[1] * 100, SE(m)[1] * 100)
  }
  ratio(area, "mean_monthly_wage_regular", subset(wdes, inArea(muni) & has_wage == 1), "wage_y", "has_wage", 1)
  ratio(area, "intention_to_leave_share", subset(wdes, inArea(muni) & answered == 1), "leave", "answered", 100)
  ratio(area, "mean_age", subset(wdes, inArea(muni) & has_age == 1), "age_y", "has_age", 1)
  sub <- subset(wdes, inArea(muni) & has_wage == 1)
  if (sum(weights(sub) > 0) > 0) {
    q <- svyquantile(~wage, sub, 0.5, qrule = "math", ci = FALSE)
    out(area, "median_monthly_wage_regular", coef(q)[1], 0)
  }
}
